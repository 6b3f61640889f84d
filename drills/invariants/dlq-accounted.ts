import { TOPICS } from '../../contracts/index.ts';
import { readTopicRanges } from '../../clients/index.ts';
import { POISON_HEADER } from '../faults/poison-messages.ts';
import { fail, pass, type Invariant } from './types.ts';

// Report 5.2 #1: DLQ contents accounted for. Every message that reached payment.dlq
// during the run is either one of the run's poison messages (all of which must be there)
// or concerns one of the run's payments (its key is the paymentTxId); anything else is
// unexplained. Read from the topic itself, from the offsets recorded before the fault.

interface Dead {
  partition: number;
  offset: string;
  key: string | null;
  error: string;
  run: string | null;
}

export const dlqAccounted: Invariant = {
  name: 'dlq-accounted',
  phase: 'after-recovery',
  promise: 'every message dead-lettered during the run is explained (a planted poison message or a payment of the run), and every poison message arrived (payment.dlq)',
  async check({ kafka, admin, signal }, { runId, accepted, poisonKeys, dlqStart }) {
    const ends = await (await admin()).fetchTopicOffsets(TOPICS.paymentDlq);
    const startOf = (p: number) => BigInt(dlqStart.find((s) => s.partition === p)?.offset ?? '0');
    const dead: Dead[] = [];
    const ranges = ends.map((e) => ({ partition: e.partition, from: startOf(e.partition), to: BigInt(e.high) }));
    await readTopicRanges(
      kafka(),
      TOPICS.paymentDlq,
      ranges,
      (partition, message) => {
        const h = (k: string) => (message.headers?.[k] === undefined ? null : String(message.headers[k]));
        dead.push({ partition, offset: message.offset, key: message.key === null ? null : String(message.key), error: h('dlq-error') ?? '', run: h(POISON_HEADER) });
      },
      { purpose: 'drill-dlq', timeoutMs: 60_000, signal },
    );
    const acceptedSet = new Set(accepted);
    const poisonSet = new Set(poisonKeys);
    const planted = dead.filter((d) => d.run === runId || (d.key !== null && poisonSet.has(d.key)));
    const ofPayments = dead.filter((d) => !planted.includes(d) && d.key !== null && acceptedSet.has(d.key));
    const unexplained = dead.filter((d) => !planted.includes(d) && !ofPayments.includes(d)).map((d) => ({ problem: 'dead letter not explained by this run', ...d }));
    const foundKeys = new Set(planted.map((d) => d.key));
    const missing = poisonKeys.filter((k) => !foundKeys.has(k)).map((key) => ({ problem: 'poison message never reached payment.dlq', key }));
    const bad = [...missing, ...unexplained];
    const summary = `${dead.length} dead letter(s) during the run: ${planted.length} planted poison (of ${poisonKeys.length}), ${ofPayments.length} of the run's payments, ${unexplained.length} unexplained`;
    return bad.length ? fail(summary, bad) : pass(summary);
  },
};
