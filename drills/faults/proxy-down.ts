import type { FaultSpec } from '../format/types.ts';
import { FaultNotInEffect, type FaultKind } from './types.ts';

// "Down" is not a toxic in Toxiproxy: the proxy is disabled (it closes every connection
// and refuses new ones) and enabled again to heal.

type Spec = Extract<FaultSpec, { type: 'proxy-down' }>;
type DownUndo = { type: 'proxy-down'; proxies: string[] };

export const proxyDown: FaultKind<Spec, DownUndo> = {
  type: 'proxy-down',
  describe: (s) => `proxies ${s.proxies.join(', ')} disabled (connections cut and refused)`,
  blastRadius: (s) => ({ proxies: s.proxies, processes: [], other: [] }),
  prepare: async (_env, s) => ({ type: 'proxy-down', proxies: s.proxies }),
  async apply(env, s) {
    for (const p of s.proxies) await env.toxiproxy.setEnabled(p, false);
  },
  async confirm(env, s) {
    for (const p of s.proxies) if ((await env.toxiproxy.proxy(p)).enabled) throw new FaultNotInEffect(`proxy ${p} is still enabled`);
    return `${s.proxies.join(', ')} listed as disabled`;
  },
  async revert(env, u) {
    const changed: string[] = [];
    for (const p of u.proxies) {
      if ((await env.toxiproxy.proxy(p)).enabled) continue;
      await env.toxiproxy.setEnabled(p, true);
      changed.push(p);
    }
    return changed.length ? `enabled ${changed.join(', ')}` : `${u.proxies.join(', ')} already enabled`;
  },
};
