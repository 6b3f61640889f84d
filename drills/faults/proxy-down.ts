import { registerFault } from './registry.ts';
import { FaultNotInEffect } from './types.ts';

// "Down" is not a toxic in Toxiproxy: the proxy is disabled (it closes every connection
// and refuses new ones) and enabled again to heal.

export type ProxyDownSpec = { type: 'proxy-down'; proxies: string[] };
type DownUndo = { type: 'proxy-down'; proxies: string[] };

declare module './types.ts' {
  interface FaultSpecs {
    'proxy-down': ProxyDownSpec;
  }
}

export const proxyDown = registerFault<ProxyDownSpec, DownUndo>({
  type: 'proxy-down',
  keys: ['proxies'],
  read: (o, { v, at, targets }) => ({ type: 'proxy-down', proxies: v.array(o.proxies, `${at}.proxies`, 1).map((p, i) => v.oneOf(p, `${at}.proxies[${i}]`, targets.proxies)) }),
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
});
