import { registerFault } from './registry.ts';
import { FaultNotInEffect } from './types.ts';

// Report 5.2 #1: messages the saga cannot parse, produced onto a saga topic. They must end
// on payment.dlq while processing of everything else continues. Each carries the run id
// in `x-drill-run` (kept on the dead letter) so the dlq-accounted invariant can find
// every one. Nothing to revert: a produced message cannot be recalled, and the DLQ keeps it.

/** The saga topics a drill may plant poison on. */
const TOPICS = ['payment.try', 'payment.retry', 'payment.success', 'payment.failure', 'payment.cancel'];

export type PoisonMessagesSpec = { type: 'poison-messages'; topic: string; count: number };
type PoisonUndo = { type: 'poison-messages'; topic: string; keys: string[] };

declare module './types.ts' {
  interface FaultSpecs {
    'poison-messages': PoisonMessagesSpec;
  }
}

export const POISON_HEADER = 'x-drill-run';

export const poisonMessages = registerFault<PoisonMessagesSpec, PoisonUndo>({
  type: 'poison-messages',
  keys: ['topic', 'count'],
  read: (o, { v, at }) => ({ type: 'poison-messages', topic: v.oneOf(o.topic ?? 'payment.try', `${at}.topic`, TOPICS), count: v.integer(o.count ?? 5, `${at}.count`, 1, 1000) }),
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
});
