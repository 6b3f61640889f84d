import { writeFileSync, mkdirSync } from 'node:fs';
import { probeWithin } from '../probes/result.ts';
import type { Topology } from '../../contracts/index.ts';
import type { Component, StackContext } from './types.ts';
import { httpGet, httpRequest } from '../../lib/index.ts';

// Toxiproxy sits in front of every dependency so drills can cut, slow or reset it. It
// keeps proxies in memory only: `-config` recreates them on every start, and `up`
// re-applies them through the API (`ensureProxies`) when the server was already running.

export const TOXIPROXY_MODULE = 'github.com/Shopify/toxiproxy/v2';
export const TOXIPROXY_VERSION = 'v2.12.0';

export function proxyConfig(t: Topology) {
  return t.proxies.map((p) => ({ name: p.name, listen: `${t.host}:${p.listen}`, upstream: `${t.host}:${p.upstream}`, enabled: true }));
}

export async function toxiproxyVersion(t: Topology): Promise<string> {
  const res = await httpGet(`http://${t.host}:${t.toxiproxyApi}/version`, 2000);
  if (res.status !== 200) throw new Error(`GET /version answered ${res.status}`);
  return typeof res.body === 'object' && res.body ? (res.body as { version: string }).version : res.text.trim();
}

export function createToxiproxyComponent(t: Topology): Component {
  return {
    name: 'toxiproxy',
    group: 'toxiproxy',
    endpoint: `${t.host}:${t.toxiproxyApi}`,
    ports: [{ port: t.toxiproxyApi, purpose: 'toxiproxy API' }, ...t.proxies.map((p) => ({ port: p.listen, purpose: `toxiproxy proxy ${p.name}` }))],
    async prepare(ctx) {
      mkdirSync(ctx.paths.conf, { recursive: true });
      writeFileSync(ctx.paths.confFile('toxiproxy.json'), `${JSON.stringify(proxyConfig(t), null, 2)}\n`);
    },
    launch(ctx) {
      return {
        file: ctx.tools.toxiproxyServer,
        args: ['-host', t.host, '-port', String(t.toxiproxyApi), '-config', ctx.paths.confFile('toxiproxy.json')],
        env: { LOG_LEVEL: 'info' },
      };
    },
    probe: (_ctx: StackContext) => probeWithin(3000, async () => `version ${await toxiproxyVersion(t)}`),
    startTimeoutMs: 20_000,
    stopTimeoutMs: 10_000,
  };
}

/** Creates missing proxies (and fixes wrong addresses) through the API; returns the names it created. */
export async function ensureProxies(t: Topology): Promise<string[]> {
  const base = `http://${t.host}:${t.toxiproxyApi}`;
  const before = (await httpGet(`${base}/proxies`, 3000)).body as Record<string, unknown>;
  // /populate keeps a proxy whose listen and upstream already match (toxics and the
  // enabled flag survive), and replaces one whose addresses differ.
  const res = await httpRequest(`${base}/populate`, { method: 'POST', body: proxyConfig(t), timeoutMs: 5000 });
  if (res.status >= 300) throw new Error(`POST /populate answered ${res.status}: ${res.text}`);
  return t.proxies.map((p) => p.name).filter((name) => !(name in before));
}
