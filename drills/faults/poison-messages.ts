import type { FaultSpec } from '../format/types.ts';
import { FaultNotInEffect, type FaultKind } from './types.ts';

// Report 5.2 #1: messages the saga cannot parse, produced onto a saga topic. They must end
// on payment.dlq while processing of everything else continues. Each carries the run id
// in `x-drill-run` (kept on the dead letter) so the dlq-accounted invariant can find
// every one. Nothing to revert: a produced message cannot be recalled, and the DLQ keeps it.

type Spec = Extract<FaultSpec, { type: 'poison-messages' }>;
type PoisonUndo = { type: 'poison-messages'; topic: string; keys: string[] };

export const POISON_HEADER = 'x-drill-run';

export const poisonMessages: FaultKind<Spec, PoisonUndo> = {
  type: 'poison-messages',
  describe: (s) => `${s.count} unparseable messages produced onto ${s.topic}`,
  blastRadius: (s) => ({ proxies: [], processes: [], other: [`${s.count} messages on ${s.topic} (they stay on payment.dlq)`] }),
  prepare: async (env, s, faultId) => ({ type: 'poison-messages', topic: s.topic, keys: Array.from({ length: s.count }, (_, i) => `drill-poison-${faultId}-${i}`) }),
  async apply(env, s, u) {
    const producer = env.kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      await producer.send({
        topic: s.topic,
        acks: -1,
        messages: u.keys.map((key, i) => ({ key, value: i % 2 ? '{"eventType": 42' : 'not json at all', headers: { [POISON_HEADER]: env.runId } })),
      });
    } finally {
      await producer.disconnect().catch(() => {});
    }
  },
  async confirm(_env, _s, u) {
    if (u.keys.length === 0) throw new FaultNotInEffect('no poison message was produced');
    return `${u.keys.length} messages acknowledged by all in-sync replicas`;
  },
  revert: async () => 'nothing to revert (produced messages stay; the DLQ keeps them)',
};
