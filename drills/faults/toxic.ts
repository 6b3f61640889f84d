import { registerFault } from './registry.ts';
import { FaultNotInEffect } from './types.ts';

// A Toxiproxy toxic (latency, timeout, reset_peer, bandwidth, slow_close, limit_data,
// slicer) on one proxy. Its name carries the fault id, so cleanup removes exactly it.

export const TOXIC_TYPES = ['latency', 'timeout', 'reset_peer', 'bandwidth', 'slow_close', 'limit_data', 'slicer'] as const;
export type ToxicType = (typeof TOXIC_TYPES)[number];

export type ToxicSpec = { type: 'toxic'; proxy: string; toxic: ToxicType; stream: 'upstream' | 'downstream'; toxicity: number; attributes: Record<string, number> };
type ToxicUndo = { type: 'toxic'; proxy: string; toxicName: string };

declare module './types.ts' {
  interface FaultSpecs {
    toxic: ToxicSpec;
  }
}

export const toxic = registerFault<ToxicSpec, ToxicUndo>({
  type: 'toxic',
  keys: ['proxy', 'toxic', 'stream', 'toxicity', 'attributes'],
  read(o, { v, at, targets }) {
    const attrs = v.object(o.attributes ?? {}, `${at}.attributes`);
    return {
      type: 'toxic',
      proxy: v.oneOf(o.proxy, `${at}.proxy`, targets.proxies),
      toxic: v.oneOf(o.toxic, `${at}.toxic`, TOXIC_TYPES),
      stream: v.oneOf(o.stream ?? 'downstream', `${at}.stream`, ['upstream', 'downstream'] as const),
      toxicity: v.rate(o.toxicity ?? 1, `${at}.toxicity`),
      attributes: Object.fromEntries(Object.entries(attrs).map(([k, x]) => [k, v.integer(x, `${at}.attributes.${k}`, 0, 100_000_000)])),
    };
  },
  describe: (s) =>
    `${s.toxic} toxic on proxy ${s.proxy} (${s.stream}, toxicity ${s.toxicity}${
      Object.keys(s.attributes).length
        ? `, ${Object.entries(s.attributes)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}`
        : ''
    })`,
  blastRadius: (s) => ({ proxies: [s.proxy], processes: [], other: [] }),
  prepare: async (_env, s, faultId) => ({ type: 'toxic', proxy: s.proxy, toxicName: `drill-${faultId}` }),
  async apply(env, s, u) {
    await env.toxiproxy.addToxic(s.proxy, { name: u.toxicName, type: s.toxic, stream: s.stream, toxicity: s.toxicity, attributes: s.attributes });
  },
  async confirm(env, _s, u) {
    const listed = (await env.toxiproxy.proxy(u.proxy)).toxics.find((t) => t.name === u.toxicName);
    if (!listed) throw new FaultNotInEffect(`toxic ${u.toxicName} is not listed on proxy ${u.proxy}`);
    return `toxic ${u.toxicName} listed on ${u.proxy}`;
  },
  async revert(env, u) {
    return (await env.toxiproxy.removeToxic(u.proxy, u.toxicName)) ? `removed toxic ${u.toxicName} from ${u.proxy}` : `toxic ${u.toxicName} on ${u.proxy} was already gone`;
  },
});
