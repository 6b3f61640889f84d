import { UsageError } from '../../../lib/index.ts';
import { InvalidEnvelopeError, parseEnvelope } from '../../../contracts/index.ts';

// One dead letter of payment.dlq as the runbooks show it, the filters of `events dlq list`
// and `replay`, and what replay republishes. Pure: the reader (dlq-reader.ts) supplies the
// raw messages. The dlq-* headers are the consumer's (service/payments/consumer.ts
// dlqHeaders); a replayed message carries `dlq-replay-of` so a second failure shows where it
// came from.

export const REPLAY_OF_HEADER = 'dlq-replay-of';
export const REPLAYED_AT_HEADER = 'dlq-replayed-at';

export interface RawDlqMessage {
  partition: number;
  offset: string;
  /** Broker timestamp, ms since the epoch, as a string (kafkajs). */
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

export interface DlqView {
  id: string;
  partition: number;
  offset: string;
  timestamp: string;
  key: string | null;
  originalTopic: string | null;
  originalPartition: number | null;
  originalOffset: string | null;
  error: string | null;
  attempts: number | null;
  failedAt: string | null;
  consumer: string | null;
  eventId: string | null;
  eventType: string | null;
  paymentTxId: string | null;
  /** Whether the value is a valid saga envelope (a replay of one that is not would only fail again). */
  parseable: boolean;
  parseError: string | null;
  replayOf: string | null;
  /** When ticketctl replayed this dead letter, or null. */
  replayedAt: string | null;
}

export interface DlqFilters {
  topic?: string;
  since?: Date;
  error?: string;
  key?: string;
}

const num = (v: string | undefined) => (v === undefined || !/^\d+$/.test(v) ? null : Number(v));

export function toView(m: RawDlqMessage, replayedAt: Map<string, string>): DlqView {
  const id = `${m.partition}:${m.offset}`;
  let envelope: { eventId?: string; type?: string; paymentTxId?: string } | null = null;
  let parseError: string | null = null;
  try {
    envelope = parseEnvelope(m.value);
  } catch (err) {
    if (!(err instanceof InvalidEnvelopeError)) throw err;
    parseError = err.message;
  }
  const h = m.headers;
  return {
    id,
    partition: m.partition,
    offset: m.offset,
    timestamp: new Date(Number(m.timestamp)).toISOString(),
    key: m.key === null ? null : m.key.toString('utf8'),
    originalTopic: h['dlq-original-topic'] ?? null,
    originalPartition: num(h['dlq-original-partition']),
    originalOffset: h['dlq-original-offset'] ?? null,
    error: h['dlq-error'] ?? null,
    attempts: num(h['dlq-attempts']),
    failedAt: h['dlq-failed-at'] ?? null,
    consumer: h['dlq-consumer'] ?? null,
    eventId: envelope?.eventId ?? h['event-id'] ?? null,
    eventType: envelope?.type ?? h['event-type'] ?? null,
    paymentTxId: envelope?.paymentTxId ?? null,
    parseable: envelope !== null,
    parseError,
    replayOf: h[REPLAY_OF_HEADER] ?? null,
    replayedAt: replayedAt.get(id) ?? null,
  };
}

export function matches(v: DlqView, f: DlqFilters): boolean {
  if (f.topic !== undefined && v.originalTopic !== f.topic) return false;
  if (f.since !== undefined && Date.parse(v.timestamp) < f.since.getTime()) return false;
  if (f.error !== undefined && !(v.error ?? '').toLowerCase().includes(f.error.toLowerCase())) return false;
  if (f.key !== undefined && v.key !== f.key) return false;
  return true;
}

/** `<partition>:<offset>`, as `events dlq list` prints in its ID column. */
export function parsePosition(raw: string): { partition: number; offset: string } {
  const m = /^(\d{1,5}):(\d{1,19})$/.exec(raw.trim());
  if (!m) throw new UsageError(`"${raw}" is not a DLQ position.`, 'Give <partition>:<offset> as the ID column of `ticketctl events dlq list` shows it, e.g. 1:42.');
  return { partition: Number(m[1]), offset: String(BigInt(m[2]!)) };
}

/** The headers a replay sends: the original ones, without the dead-letter bookkeeping, plus where it came from. */
export function replayHeaders(m: RawDlqMessage, dlqTopic: string, now: Date): Record<string, string> {
  const kept = Object.fromEntries(Object.entries(m.headers).filter(([k]) => !k.startsWith('dlq-')));
  return { ...kept, [REPLAY_OF_HEADER]: `${dlqTopic}/${m.partition}/${m.offset}`, [REPLAYED_AT_HEADER]: now.toISOString() };
}

/** undefined: replayable; else why not. */
export function replaySkipReason(v: DlqView): string | undefined {
  if (v.replayedAt) return `already replayed at ${v.replayedAt}`;
  if (!v.originalTopic) return 'no dlq-original-topic header: not a dead letter of the saga consumer';
  if (!v.parseable) return `its value does not parse (${v.parseError}); a replay would fail again at once`;
  return undefined;
}
