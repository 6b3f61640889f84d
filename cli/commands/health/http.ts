import type { Context } from '../../../clients/index.ts';
import { httpGet } from '../../../lib/index.ts';
import { down, runCheck, skipped, up, warn, type ComponentHealth, type Outcome } from './check.ts';

// HTTP components: the payment gateway (through its proxy, for the local stack), each
// service instance's /health (200 UP or 503 with the failing checks), and Toxiproxy's
// API, where a disabled proxy or a toxic is a fault someone left in place.

/** GET a JSON answer of shape T (its fields checked where read); a body that is not a JSON object is undefined, its text kept. */
async function getJson<T extends object>(url: string, timeoutMs = 4000): Promise<{ status: number; body: T | undefined; text: string }> {
  const { status, body, text } = await httpGet(url, timeoutMs);
  return { status, body: typeof body === 'object' && body !== null ? (body as T) : undefined, text };
}

interface ServiceHealth {
  instanceId?: string;
  checks?: Record<string, { status: string; latencyMs?: number; error?: string; detail?: string }>;
}
type ToxiproxyProxies = Record<string, { name: string; enabled: boolean; toxics: Array<{ name: string; type: string }> }>;

const endpointOf = (url: string) => new URL(url).host;

export function gatewayCheck(c: Context): Promise<ComponentHealth> {
  return runCheck({ component: 'gateway', group: 'gateway', endpoint: endpointOf(c.gatewayUrl) }, async () => {
    const r = await getJson<{ status?: string }>(`${c.gatewayUrl}/health`);
    return r.status === 200 ? up(`/health ${r.body?.status ?? 200}`) : down(`/health answered ${r.status}`);
  });
}

export function serviceChecks(c: Context): Array<() => Promise<ComponentHealth>> {
  return c.serviceUrls.map(
    (url, i) => () =>
      runCheck({ component: `service-${i + 1}`, group: 'service', endpoint: endpointOf(url) }, async (): Promise<Outcome> => {
        const r = await getJson<ServiceHealth>(`${url}/health`);
        const checks = Object.entries(r.body?.checks ?? {});
        const parts = checks.map(([name, v]) => (v.status === 'UP' ? `${name} ${v.latencyMs ?? '?'} ms` : `${name} ${v.status}${v.error ? `: ${v.error}` : ''}`));
        const who = r.body?.instanceId ? `${r.body.instanceId}: ` : '';
        if (r.status === 200) return up(`${who}${parts.join(', ') || 'UP'}`);
        return down(`${who}/health ${r.status}${parts.length ? `; ${parts.join(', ')}` : ''}`);
      }),
  );
}

export function toxiproxyCheck(c: Context): Promise<ComponentHealth> {
  const spec = { component: 'toxiproxy', group: 'toxiproxy' as const, endpoint: c.toxiproxyUrl ? endpointOf(c.toxiproxyUrl) : '-' };
  const base = c.toxiproxyUrl;
  if (!base) return Promise.resolve(skipped(spec, 'this context has no Toxiproxy'));
  return runCheck(spec, async () => {
    const version = await getJson<{ version?: string }>(`${base}/version`);
    if (version.status !== 200) return down(`/version answered ${version.status}`);
    const proxies = await getJson<ToxiproxyProxies>(`${base}/proxies`);
    const list = Object.values(proxies.body ?? {});
    const disabled = list
      .filter((p) => !p.enabled)
      .map((p) => p.name)
      .sort();
    const toxic = list
      .filter((p) => p.toxics.length)
      .map((p) => `${p.name}[${p.toxics.map((t) => t.type).join(',')}]`)
      .sort();
    const detail = `version ${version.body?.version ?? version.text}, ${list.length} proxies`; // a plain-text answer (older Toxiproxy) is its text
    if (disabled.length || toxic.length) {
      return warn(
        `${detail}; ${[disabled.length ? `disabled: ${disabled.join(', ')}` : '', toxic.length ? `toxics: ${toxic.join(', ')}` : ''].filter(Boolean).join('; ')} (a drill left running? \`ticketctl stack status\` lists them)`,
      );
    }
    return up(`${detail}, none disabled, no toxics`);
  });
}
