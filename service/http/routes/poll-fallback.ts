import type { FastifyReply } from 'fastify';
import type { DependencyUnavailableError } from '../../errors.ts';
import type { StatusView } from '../../status-view/status-view.ts';

// Report 2.0.1 #3, the poll's fallback: when the database cannot be read, GET
// /payments/:id answers the last status the saga's event log showed (status-view/), 200
// and marked `fallback: true, source: 'event-log', asOf`, with Retry-After so the client
// comes back for the database's answer. The view lags the database (events are published
// after the commit), never leads it, so a fallback never claims more than happened. Only
// a payment the view does not know gets the 503 (with Retry-After) it got before.

export const FALLBACK_SOURCE = 'event-log';

const marks = (asOf: string) => ({ fallback: true as const, source: FALLBACK_SOURCE, asOf });

const MESSAGES = {
  SUCCESS: 'Paid: the payment succeeded. Read from the event log while the database is unavailable; details follow once it is back.',
  FAILED: 'The payment failed and any charge is being refunded. Read from the event log while the database is unavailable.',
  CANCELLING: 'Cancellation requested; the refund is in progress. Read from the event log while the database is unavailable.',
} as const;

export interface PollFallbackDeps {
  statusView?: StatusView;
  /** Counts a fallback answer by the status answered; UNKNOWN for the 503. */
  onFallback?: (status: string) => void;
}

/** Answers a poll from the event log after `err`; rethrows it (the 503) when the view does not know the payment. */
export function answerFromEventLog(
  reply: FastifyReply,
  paymentTxId: string,
  err: DependencyUnavailableError,
  deps: PollFallbackDeps,
  pending: (p: { paymentTxId: string }) => Record<string, unknown>,
  pollAfterSec: number,
) {
  const entry = deps.statusView?.get(paymentTxId);
  deps.onFallback?.(entry?.status ?? 'UNKNOWN');
  if (!entry) throw err;
  if (entry.status === 'PENDING') {
    return reply
      .code(200)
      .header('retry-after', String(pollAfterSec))
      .header('location', `/payments/${paymentTxId}`)
      .send({ ...pending({ paymentTxId }), ...marks(entry.asOf) });
  }
  // Required fields first, then the optional ones: the order the serializer writes them in.
  const ids = { ...(entry.seatId === undefined ? {} : { seatId: entry.seatId }), ...(entry.holdId === undefined ? {} : { holdId: entry.holdId }) };
  return reply
    .code(200)
    .header('retry-after', String(err.retryAfterSec ?? pollAfterSec))
    .send({ paymentTxId, status: entry.status, ...marks(entry.asOf), message: MESSAGES[entry.status], ...ids });
}
