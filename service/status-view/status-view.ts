import { EVENT_TYPES, TOPICS, type Envelope } from '../../contracts/index.ts';

// The payment status as the saga's event log tells it (report 2.0.1 #3): what
// `GET /payments/:id` answers, marked as a fallback, while the database cannot be read.
// Pure and in memory; tail.ts feeds it from Kafka.
//
// Mapping, by topic (the outbox publishes an event only after the database commit that
// made it, so the view lags the database; the notes say where it can differ):
//   payment.try     (PaymentRequested, PaymentReprocessRequested) -> PENDING
//   payment.retry   (PaymentRetryScheduled)                       -> PENDING
//   payment.success (PaymentSucceeded)                            -> SUCCESS
//   payment.failure (PaymentFailed: the saga gave up)             -> FAILED. The row says
//       PENDING until the compensation has refunded and released, but a payment the saga
//       gave up on can only end FAILED (or be revived by an operator, which publishes a
//       new payment.try), so the client is told the outcome, not the refund's progress.
//   payment.cancel  (PaymentCancelRequested)                      -> CANCELLING, as
//       POST /payments/:id/cancel answered. The row says SUCCESS until the saga cancelled
//       it, then CANCELLED; that last step publishes nothing, so the view never says CANCELLED.
//
// Order: the topics are read in parallel, so one payment's events may arrive out of order
// (payment.success before its payment.try). Each event's occurredAt is when the
// transaction that caused it ran, and every event of a payment is caused by the one
// before it, so the entry with the latest occurredAt wins; on equal times the later step
// of the saga (RANK) wins. A redelivered event changes nothing.
//
// Memory: at most maxEntries payments (default 100 000, about 20 MB), least recently
// updated evicted first (a Map keeps insertion order; an update re-inserts). An evicted or
// never-seen payment is unknown: the route then answers 503 as before.

export type ViewStatus = 'PENDING' | 'SUCCESS' | 'FAILED' | 'CANCELLING';

export interface ViewEntry {
  status: ViewStatus;
  /** occurredAt of the event the status comes from (ISO). */
  asOf: string;
  eventType: string;
  seatId?: number;
  holdId?: string;
}

export const DEFAULT_MAX_ENTRIES = 100_000;

const STATUS_OF_TOPIC: Record<string, ViewStatus> = {
  [TOPICS.paymentTry]: 'PENDING',
  [TOPICS.paymentRetry]: 'PENDING',
  [TOPICS.paymentSuccess]: 'SUCCESS',
  [TOPICS.paymentFailure]: 'FAILED',
  [TOPICS.paymentCancel]: 'CANCELLING',
};

/** The topics the view reads (the saga's, without the DLQ: a dead letter is no status). */
export const STATUS_VIEW_TOPICS = Object.keys(STATUS_OF_TOPIC);

/** Which event types each topic carries; another type on a topic is ignored, not guessed at. */
const TYPES_OF_TOPIC: Record<string, readonly string[]> = {
  [TOPICS.paymentTry]: [EVENT_TYPES.paymentRequested, EVENT_TYPES.paymentReprocessRequested],
  [TOPICS.paymentRetry]: [EVENT_TYPES.paymentRetryScheduled],
  [TOPICS.paymentSuccess]: [EVENT_TYPES.paymentSucceeded],
  [TOPICS.paymentFailure]: [EVENT_TYPES.paymentFailed],
  [TOPICS.paymentCancel]: [EVENT_TYPES.paymentCancelRequested],
};

const RANK: Record<ViewStatus, number> = { PENDING: 0, FAILED: 1, SUCCESS: 1, CANCELLING: 2 };

export interface StatusView {
  /** Folds one event in; returns whether it changed the entry. */
  apply(topic: string, event: Envelope): boolean;
  get(paymentTxId: string): ViewEntry | undefined;
  size(): number;
}

export function createStatusView(maxEntries = DEFAULT_MAX_ENTRIES): StatusView {
  const entries = new Map<string, ViewEntry>();
  return {
    apply(topic, event) {
      const status = STATUS_OF_TOPIC[topic];
      if (!status || !TYPES_OF_TOPIC[topic]!.includes(event.type)) return false;
      const old = entries.get(event.paymentTxId);
      if (old) {
        const newer = Date.parse(event.occurredAt) - Date.parse(old.asOf);
        if (newer < 0 || (newer === 0 && RANK[status] <= RANK[old.status])) return false;
      }
      const data = event.data;
      const seatId = Number.isInteger(data.seatId) ? (data.seatId as number) : old?.seatId;
      const holdId = typeof data.holdId === 'string' ? data.holdId : old?.holdId;
      entries.delete(event.paymentTxId);
      entries.set(event.paymentTxId, { status, asOf: event.occurredAt, eventType: event.type, ...(seatId === undefined ? {} : { seatId }), ...(holdId === undefined ? {} : { holdId }) });
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
      return true;
    },
    get: (id) => entries.get(id),
    size: () => entries.size,
  };
}
