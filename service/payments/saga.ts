import type { PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { withConnection, withTransaction, type Db } from '../db/connection.ts';
import { EVENT_TYPES, newEnvelope, type Envelope } from '../../contracts/index.ts';
import { appendEvent } from '../events/event-store.ts';
import { TOPICS } from '../../contracts/index.ts';
import { enqueue } from './outbox.ts';
import { lockPayment, readPayment, type Payment } from './transactions.ts';
import type { CircuitBreaker } from './breaker.ts';
import type { RetryPolicy } from './retry-policy.ts';
import { UnprocessableEventError } from './consumer-errors.ts';

// The payment saga (report 1, 2.2.2). payment.try / payment.retry charge the gateway
// through the circuit breaker and record the outcome: success, a scheduled retry (an
// outbox row due later, so nobody sleeps in a partition loop), or failure.
// payment.failure compensates: refund whatever the gateway charged, release the seat.
// payment.cancel refunds and releases a paid seat.
//
// Idempotency, three layers deep: the gateway charges once per paymentTxId (idempotency
// key); every outcome is written under the payment row's lock and only from the state it
// expects (PENDING, attempt not yet recorded); and each event id is recorded in
// processed_events with its effect, so a redelivered event changes nothing.

export interface Charge {
  id: number;
  status: 'CHARGED' | 'DECLINED';
  refunded: boolean;
}

/** What the saga needs from the payment gateway (service/gateway/client.ts provides it). */
export interface ChargeGateway {
  charge(req: { idempotencyKey: string; paymentTxId: string; amount: number }): Promise<Charge>;
  chargesFor(paymentTxId: string): Promise<Charge[]>;
  refund(req: { idempotencyKey: string; chargeId: number }): Promise<{ id: number }>;
}

export type Outcome = 'succeeded' | 'retry-scheduled' | 'failed' | 'compensated' | 'cancelled' | 'skipped';

export interface SagaDeps {
  db: Db;
  gateway: ChargeGateway;
  breaker: CircuitBreaker;
  retry: RetryPolicy;
  onOutcome?: (topic: string, outcome: Outcome) => void;
}

export interface Saga {
  handle(topic: string, event: Envelope): Promise<Outcome>;
}

/** A gateway error the breaker should count: outages and timeouts, not a card decline. */
export function isGatewayFailure(err: unknown): boolean {
  return (err as { retriable?: boolean } | null)?.retriable === true;
}

/**
 * The gateway idempotency key of a charge attempt: the payment id, or the key a reprocess
 * round chose (`ticketctl events reprocess`: a FAILED payment's key already holds a decline
 * or a refunded charge, which a replay would only repeat). The try event carries it and each
 * scheduled retry copies it, so every attempt of one round charges at most once.
 */
export function chargeKeyOf(event: Envelope): string {
  const k = event.data.chargeKey;
  return typeof k === 'string' && k.startsWith(`${event.paymentTxId}:`) && k.length <= 100 ? k : event.paymentTxId;
}

async function alreadyProcessed(conn: PoolConnection, event: Envelope, handler: string): Promise<boolean> {
  const [rows] = await conn.query<RowDataPacket[]>('SELECT 1 FROM processed_events WHERE event_id = ? AND handler = ?', [event.eventId, handler]);
  return rows.length > 0;
}

async function firstDelivery(conn: PoolConnection, event: Envelope, handler: string): Promise<boolean> {
  const [r] = await conn.query<ResultSetHeader>('INSERT IGNORE INTO processed_events (event_id, handler) VALUES (?, ?)', [event.eventId, handler]);
  return r.affectedRows === 1;
}

export function createSaga({ db, gateway, breaker, retry, onOutcome }: SagaDeps): Saga {
  // A plain read decides whether to call the gateway at all; the outcome is written later
  // under the row lock, re-checked there, so no lock is held across the network call.
  /**
   * The pre-check before a gateway call, on one pooled connection: the payment, and whether
   * this event already had its effect for this handler (after a reprocess reset the attempt
   * count, the attempt check alone no longer tells a redelivered event from a new one).
   */
  async function load(event: Envelope, handler: string): Promise<{ payment: Payment; processed: boolean }> {
    return withConnection(db, async (conn) => {
      const payment = await readPayment(conn, event.paymentTxId);
      if (!payment) throw new UnprocessableEventError(`payment ${event.paymentTxId} does not exist`);
      return { payment, processed: await alreadyProcessed(conn, event, handler) };
    });
  }

  async function chargeAttempt(topic: string, event: Envelope): Promise<Outcome> {
    const { payment: before, processed } = await load(event, topic);
    if (before.status !== 'PENDING' || event.attempt <= before.attempts || processed) return 'skipped';
    const chargeKey = chargeKeyOf(event);
    let charge: Charge | undefined;
    let error: unknown;
    try {
      charge = await breaker.execute(() => gateway.charge({ idempotencyKey: chargeKey, paymentTxId: event.paymentTxId, amount: before.amount }), isGatewayFailure);
    } catch (err) {
      error = err;
    }
    return withTransaction(db, async (conn) => {
      const p = await lockPayment(conn, event.paymentTxId);
      if (!p || p.status !== 'PENDING' || event.attempt <= p.attempts || !(await firstDelivery(conn, event, topic))) return 'skipped';
      if (charge?.status === 'CHARGED') {
        await conn.query("UPDATE payment_transactions SET status = 'SUCCESS', attempts = ?, gateway_charge_id = ? WHERE payment_tx_id = ?", [event.attempt, charge.id, p.paymentTxId]);
        await conn.query("UPDATE holds SET status = 'PAID' WHERE id = ? AND status = 'ACTIVE'", [p.holdId]);
        await conn.query("UPDATE seats SET status = 'SOLD' WHERE id = ? AND hold_id = ?", [p.seatId, p.holdId]);
        const done = newEnvelope(EVENT_TYPES.paymentSucceeded, p.paymentTxId, event.attempt, { chargeId: charge.id, seatId: p.seatId, holdId: p.holdId });
        await appendEvent(conn, p.paymentTxId, done.type, done.data);
        await enqueue(conn, TOPICS.paymentSuccess, done);
        return 'succeeded';
      }
      const reason = charge?.status === 'DECLINED' ? 'CARD_DECLINED' : describe(error);
      const decision = charge?.status === 'DECLINED' ? ({ action: 'give-up', reason: 'not-retriable' } as const) : retry.decide({ attempt: event.attempt, error });
      await conn.query('UPDATE payment_transactions SET attempts = ?, failure_reason = ? WHERE payment_tx_id = ?', [event.attempt, reason.slice(0, 500), p.paymentTxId]);
      if (decision.action === 'retry') {
        const next = newEnvelope(EVENT_TYPES.paymentRetryScheduled, p.paymentTxId, decision.nextAttempt, { delayMs: decision.delayMs, lastError: reason, ...(chargeKey === p.paymentTxId ? {} : { chargeKey }) });
        await appendEvent(conn, p.paymentTxId, next.type, next.data);
        await enqueue(conn, TOPICS.paymentRetry, next, decision.delayMs);
        return 'retry-scheduled';
      }
      const why = decision.reason === 'circuit-open' ? 'Circuit breaker open' : reason;
      const failed = newEnvelope(EVENT_TYPES.paymentFailed, p.paymentTxId, event.attempt, { reason: why, giveUp: decision.reason });
      await enqueue(conn, TOPICS.paymentFailure, failed);
      return 'failed';
    });
  }

  /**
   * Refunds every charge of the payment the gateway still holds; idempotent per charge.
   * Returns every CHARGED charge now refunded, including those an earlier delivery refunded
   * without recording it (the refund's answer was lost), so the event store still names them.
   */
  async function refundAll(paymentTxId: string): Promise<number[]> {
    const refunded: number[] = [];
    for (const c of await gateway.chargesFor(paymentTxId)) {
      if (c.status !== 'CHARGED') continue;
      if (!c.refunded) await gateway.refund({ idempotencyKey: `refund-${c.id}`, chargeId: c.id });
      refunded.push(c.id);
    }
    return refunded;
  }

  interface Settlement {
    /** The status the payment must be in for this event to act. */
    from: 'PENDING' | 'SUCCESS';
    to: 'FAILED' | 'CANCELLED';
    holdStatus: 'RELEASED' | 'CANCELLED';
    outcome: Outcome;
    /** The event-store record of the change (before the refund record, if any). */
    record: (refunded: number[], failureReason: string | undefined) => { type: typeof EVENT_TYPES.paymentFailed | typeof EVENT_TYPES.paymentCancelled; data: Record<string, unknown> };
    refundReason: 'compensation' | 'cancellation';
    /** Why it failed, from the event or else what the last attempt recorded. */
    failureReason?: (p: Payment) => string;
  }

  /**
   * Compensation and cancellation are one move: refund whatever the gateway charged, then,
   * under the payment's lock and only from the expected status, record the final status
   * and free the seat.
   */
  async function refundAndRelease(topic: string, event: Envelope, s: Settlement): Promise<Outcome> {
    // A redelivered failure event of an earlier round must not refund a reprocessed round's charge.
    const { payment: before, processed } = await load(event, topic);
    if (before.status !== s.from || processed) return 'skipped';
    const refunded = await refundAll(event.paymentTxId);
    return withTransaction(db, async (conn) => {
      const p = await lockPayment(conn, event.paymentTxId);
      if (!p || p.status !== s.from || !(await firstDelivery(conn, event, topic))) return 'skipped';
      const reason = s.failureReason?.(p);
      if (reason === undefined) await conn.query('UPDATE payment_transactions SET status = ? WHERE payment_tx_id = ?', [s.to, p.paymentTxId]);
      else await conn.query('UPDATE payment_transactions SET status = ?, failure_reason = ? WHERE payment_tx_id = ?', [s.to, reason.slice(0, 500), p.paymentTxId]);
      await releaseSeat(conn, p, s.holdStatus);
      const record = s.record(refunded, reason);
      await appendEvent(conn, p.paymentTxId, record.type, record.data);
      if (refunded.length) await appendEvent(conn, p.paymentTxId, EVENT_TYPES.paymentRefunded, { chargeIds: refunded, reason: s.refundReason });
      return s.outcome;
    });
  }

  function compensate(topic: string, event: Envelope): Promise<Outcome> {
    return refundAndRelease(topic, event, {
      from: 'PENDING',
      to: 'FAILED',
      holdStatus: 'RELEASED',
      outcome: 'compensated',
      failureReason: (p) => String(event.data.reason ?? p.failureReason ?? 'failed'),
      record: (refunded, reason) => ({ type: EVENT_TYPES.paymentFailed, data: { reason, refundedCharges: refunded } }),
      refundReason: 'compensation',
    });
  }

  function cancel(topic: string, event: Envelope): Promise<Outcome> {
    return refundAndRelease(topic, event, {
      from: 'SUCCESS',
      to: 'CANCELLED',
      holdStatus: 'CANCELLED',
      outcome: 'cancelled',
      record: (refunded) => ({ type: EVENT_TYPES.paymentCancelled, data: { refundedCharges: refunded } }),
      refundReason: 'cancellation',
    });
  }

  return {
    async handle(topic, event) {
      let outcome: Outcome;
      if (topic === TOPICS.paymentTry || topic === TOPICS.paymentRetry) outcome = await chargeAttempt(topic, event);
      else if (topic === TOPICS.paymentFailure) outcome = await compensate(topic, event);
      else if (topic === TOPICS.paymentCancel) outcome = await cancel(topic, event);
      else throw new UnprocessableEventError(`no handler for topic ${topic}`);
      onOutcome?.(topic, outcome);
      return outcome;
    },
  };
}

async function releaseSeat(conn: PoolConnection, p: Payment, holdStatus: 'RELEASED' | 'CANCELLED'): Promise<void> {
  await conn.query("UPDATE holds SET status = ? WHERE id = ? AND status IN ('ACTIVE', 'PAID')", [holdStatus, p.holdId]);
  await conn.query("UPDATE seats SET status = 'AVAILABLE', hold_id = NULL WHERE id = ? AND hold_id = ?", [p.seatId, p.holdId]);
}

function describe(err: unknown): string {
  if (!err) return 'unknown error';
  const e = err as { code?: string; message?: string };
  return e.code ? `${e.code}: ${e.message ?? ''}` : (e.message ?? String(err));
}
