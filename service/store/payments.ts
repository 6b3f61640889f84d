import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import { withTransaction, type Db } from '../db/connection.ts';
import { EVENT_TYPES, newEnvelope, TOPICS } from '../../contracts/index.ts';
import { appendEvent } from './event-store.ts';
import { enqueue } from './outbox.ts';
import { markFirstDelivery, type ProcessedMarker } from './processed-events.ts';
import { lockPayment, write, type Changed, type Payment } from './rows.ts';
import { HOLD, MOVES, PAYMENT, SEAT, applies, fromStates } from './state-machine.ts';

// A payment from intake to the outcome of each charge attempt (moves requestPayment,
// charged, chargeFailed). Every change commits with the event-store record and the outbox
// row that announce it, so an event is published if and only if its change happened.

export interface PaymentRow {
  paymentTxId: string;
  userId: string;
  seatId: number;
  holdId: string;
  amount: number;
  requestHash: string;
  /** How long the payment may stay PENDING before the deadline sweeper fails it. */
  deadlineMs: number;
}

/**
 * Move requestPayment, in the caller's transaction (intake has checked the hold under its
 * row lock): the PENDING row, PaymentRequested and the payment.try outbox row. A second
 * request with the same paymentTxId, or a second live payment of the hold, is ER_DUP_ENTRY.
 */
export async function recordPaymentRequested(conn: PoolConnection, r: PaymentRow): Promise<Changed> {
  const t = PAYMENT[MOVES.requestPayment.payment];
  const payment = await write(
    conn,
    'INSERT INTO payment_transactions (payment_tx_id, user_id, seat_id, hold_id, amount, status, request_hash, deadline_at) VALUES (?, ?, ?, ?, ?, ?, ?, NOW(3) + INTERVAL ? MICROSECOND)',
    [r.paymentTxId, r.userId, r.seatId, r.holdId, r.amount, t.to, r.requestHash, r.deadlineMs * 1000],
  );
  const event = newEnvelope(EVENT_TYPES.paymentRequested, r.paymentTxId, 1, { holdId: r.holdId, seatId: r.seatId, userId: r.userId, amount: r.amount });
  await appendEvent(conn, r.paymentTxId, event.type, event.data);
  await enqueue(conn, TOPICS.paymentTry, event);
  return { payment, hold: 0, seat: 0 };
}

/** Who asked for a change on the customer's behalf, and why: kept in the event store. */
export interface OperatorNote {
  by: string;
  reason: string;
}

/**
 * A cancellation request of a SUCCESS payment, in the caller's transaction with the payment
 * locked: no status changes here (the saga's payment.cancel does it), only the
 * PaymentCancelRequested record and the payment.cancel outbox row, once per payment: a
 * repeated request (a retrying client, a double click) before the saga has cancelled finds
 * the first one recorded and changes nothing. Returns whether this call recorded it.
 */
export async function recordCancelRequested(conn: PoolConnection, p: Payment, userId: string, operator?: OperatorNote): Promise<boolean> {
  const [earlier] = await conn.query<RowDataPacket[]>('SELECT 1 FROM event_store WHERE aggregate_id = ? AND event_type = ? LIMIT 1', [p.paymentTxId, EVENT_TYPES.paymentCancelRequested]);
  if (earlier.length > 0) return false;
  const event = newEnvelope(EVENT_TYPES.paymentCancelRequested, p.paymentTxId, p.attempts, { userId, ...(operator ? { by: operator.by, reason: operator.reason } : {}) });
  await appendEvent(conn, p.paymentTxId, event.type, event.data);
  await enqueue(conn, TOPICS.paymentCancel, event);
  return true;
}

/** What one charge attempt came to, as the saga decided it. */
export type AttemptOutcome =
  | { kind: 'charged'; chargeId: number }
  /** Retriable: payment.retry is due after delayMs; chargeKey rides along when it is not the paymentTxId. */
  | { kind: 'retry'; reason: string; nextAttempt: number; delayMs: number; chargeKey?: string }
  /** Declined, retries exhausted or breaker open: payment.failure (compensation does the rest). */
  | { kind: 'give-up'; reason: string; failure: { reason: string; giveUp: string } };

export interface AttemptRecord {
  paymentTxId: string;
  attempt: number;
  marker: ProcessedMarker;
}

export type AttemptRecorded = { recorded: false } | { recorded: true; payment: Payment; outcome: AttemptOutcome; changed: Changed };

/**
 * Records the outcome of charge attempt `a.attempt` in one transaction, under the payment's
 * row lock and only from the state it expects: PENDING, this attempt not yet recorded, and
 * the event's processed marker new. `decide` runs there, after those checks. Otherwise
 * nothing changes ({recorded: false}: a redelivery or a late duplicate).
 */
export async function recordAttempt(db: Db, a: AttemptRecord, decide: (p: Payment) => AttemptOutcome): Promise<AttemptRecorded> {
  return withTransaction(db, async (conn) => {
    const p = await lockPayment(conn, a.paymentTxId);
    // charged and chargeFailed start from the same state.
    const expected = p !== undefined && applies(PAYMENT[MOVES.charged.payment], p.status) && applies(PAYMENT[MOVES.chargeFailed.payment], p.status);
    if (!p || !expected || a.attempt <= p.attempts || !(await markFirstDelivery(conn, a.marker))) return { recorded: false };
    let outcome = decide(p);
    const lost = outcome.kind === 'charged' ? await holdLost(conn, p) : undefined;
    // Charged, but the seat is no longer this payment's: never SUCCESS; compensation refunds the charge.
    if (lost) outcome = { kind: 'give-up', reason: lost, failure: { reason: lost, giveUp: 'hold-lost' } };
    const changed = outcome.kind === 'charged' ? await recordCharged(conn, p, a.attempt, outcome.chargeId) : await recordFailedAttempt(conn, p, a.attempt, outcome);
    return { recorded: true, payment: p, outcome, changed };
  });
}

/**
 * Why the payment's hold can no longer be paid (undefined: it can), with the hold and the
 * seat row locked until the transaction ends, so nothing takes them between this check and
 * move charged: the hold must be in the state `pay` starts from and the seat HELD by it.
 */
async function holdLost(conn: PoolConnection, p: Payment): Promise<string | undefined> {
  const hold = HOLD[MOVES.charged.hold];
  const seat = SEAT[MOVES.charged.seat];
  const [[h]] = await conn.query<RowDataPacket[]>('SELECT status FROM holds WHERE id = ? FOR UPDATE', [p.holdId]);
  const [[s]] = await conn.query<RowDataPacket[]>('SELECT status, hold_id FROM seats WHERE id = ? FOR UPDATE', [p.seatId]);
  if (!h || !applies(hold, h.status)) return `HOLD_LOST: hold ${p.holdId} is ${h?.status ?? 'gone'}, so the seat is not this payment's; the charge is refunded`;
  if (!s || s.hold_id !== p.holdId || !applies(seat, s.status)) return `HOLD_LOST: seat ${p.seatId} is ${s?.status ?? 'gone'} under another hold; the charge is refunded`;
  return undefined;
}

/** A change that must touch exactly one row of each table it names touched another count: roll the transaction back. */
export class UnexpectedChange extends Error {
  constructor(what: string, changed: Changed) {
    super(`${what} changed ${JSON.stringify(changed)} rows instead of one of each; rolled back`);
    this.name = 'UnexpectedChange';
  }
}

/** Move charged: SUCCESS, the hold PAID, the seat SOLD, PaymentSucceeded and payment.success. */
async function recordCharged(conn: PoolConnection, p: Payment, attempt: number, chargeId: number): Promise<Changed> {
  const pay = PAYMENT[MOVES.charged.payment];
  const hold = HOLD[MOVES.charged.hold];
  const seat = SEAT[MOVES.charged.seat];
  const payment = await write(conn, 'UPDATE payment_transactions SET status = ?, attempts = ?, gateway_charge_id = ? WHERE payment_tx_id = ? AND status IN (?)', [
    pay.to,
    attempt,
    chargeId,
    p.paymentTxId,
    fromStates(pay),
  ]);
  const holds = await write(conn, 'UPDATE holds SET status = ? WHERE id = ? AND status IN (?)', [hold.to, p.holdId, fromStates(hold)]);
  const seats = await write(conn, 'UPDATE seats SET status = ? WHERE id = ? AND hold_id = ? AND status IN (?)', [seat.to, p.seatId, p.holdId, fromStates(seat)]);
  // holdLost() checked and locked both rows, so anything but one of each is a bug: never a SUCCESS without its seat.
  if (payment !== 1 || holds !== 1 || seats !== 1) throw new UnexpectedChange(`move charged of ${p.paymentTxId}`, { payment, hold: holds, seat: seats });
  const done = newEnvelope(EVENT_TYPES.paymentSucceeded, p.paymentTxId, attempt, { chargeId, seatId: p.seatId, holdId: p.holdId });
  await appendEvent(conn, p.paymentTxId, done.type, done.data);
  await enqueue(conn, TOPICS.paymentSuccess, done);
  return { payment, hold: holds, seat: seats };
}

/** Move chargeFailed: attempts and failure_reason recorded, then the retry scheduled or payment.failure sent. */
async function recordFailedAttempt(conn: PoolConnection, p: Payment, attempt: number, o: Exclude<AttemptOutcome, { kind: 'charged' }>): Promise<Changed> {
  const t = PAYMENT[MOVES.chargeFailed.payment];
  const payment = await write(conn, 'UPDATE payment_transactions SET attempts = ?, failure_reason = ? WHERE payment_tx_id = ? AND status IN (?)', [
    attempt,
    o.reason.slice(0, 500),
    p.paymentTxId,
    fromStates(t),
  ]);
  if (payment !== 1) throw new UnexpectedChange(`move chargeFailed of ${p.paymentTxId}`, { payment, hold: 0, seat: 0 });
  if (o.kind === 'retry') {
    const next = newEnvelope(EVENT_TYPES.paymentRetryScheduled, p.paymentTxId, o.nextAttempt, { delayMs: o.delayMs, lastError: o.reason, ...(o.chargeKey === undefined ? {} : { chargeKey: o.chargeKey }) });
    await appendEvent(conn, p.paymentTxId, next.type, next.data);
    await enqueue(conn, TOPICS.paymentRetry, next, o.delayMs);
  } else {
    // No event-store record yet: compensation records PaymentFailed when it settles the payment.
    const failed = newEnvelope(EVENT_TYPES.paymentFailed, p.paymentTxId, attempt, { reason: o.failure.reason, giveUp: o.failure.giveUp });
    await enqueue(conn, TOPICS.paymentFailure, failed);
  }
  return { payment, hold: 0, seat: 0 };
}

export type OperatorCancel = { outcome: 'requested' | 'already-requested'; payment: Payment } | { outcome: 'not-cancellable'; payment: Payment } | { outcome: 'not-found' };

/**
 * An operator's cancel (`ticketctl payments cancel`): the customer's cancel without the
 * hold secret, for payments nobody can prove are theirs (made before hold secrets existed,
 * or the secret lost) and support cases. Under the payment's row lock and only from
 * SUCCESS it records the same PaymentCancelRequested and payment.cancel outbox row as the
 * customer's, with who and why; the saga then refunds and releases as for any cancel.
 */
export function requestOperatorCancel(db: Db, paymentTxId: string, operator: OperatorNote): Promise<OperatorCancel> {
  return withTransaction(db, async (conn) => {
    const payment = await lockPayment(conn, paymentTxId);
    if (!payment) return { outcome: 'not-found' };
    if (payment.status !== 'SUCCESS') return { outcome: 'not-cancellable', payment };
    return { outcome: (await recordCancelRequested(conn, payment, payment.userId, operator)) ? 'requested' : 'already-requested', payment };
  });
}
