import type { FaultSpec } from '../format/types.ts';
import { FaultNotInEffect, type FaultKind } from './types.ts';

// A Toxiproxy toxic (latency, timeout, reset_peer, bandwidth, slow_close, limit_data,
// slicer) on one proxy. Its name carries the fault id, so cleanup removes exactly it.

type Spec = Extract<FaultSpec, { type: 'toxic' }>;
type ToxicUndo = { type: 'toxic'; proxy: string; toxicName: string };

export const toxic: FaultKind<Spec, ToxicUndo> = {
  type: 'toxic',
  describe: (s) => `${s.toxic} toxic on proxy ${s.proxy} (${s.stream}, toxicity ${s.toxicity}${Object.keys(s.attributes).length ? `, ${Object.entries(s.attributes).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''})`,
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
};
