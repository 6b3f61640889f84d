import { withConnection, type Db } from '../db/connection.ts';
import { EVENT_TYPES, type Envelope, TOPICS } from '../../contracts/index.ts';
import { readPayment, recordAttempt, refundAndRelease, settles, wasProcessed, type AttemptOutcome, type EventRecord, type Payment, type RefundReason, type SettlementMove } from '../store/index.ts';
import type { CircuitBreaker } from './breaker.ts';
import { isGatewayFailure, type ChargeGateway, type GatewayCharge } from './charge-gateway.ts';
import type { Refunder } from './refunds.ts';
import type { RetryPolicy } from './retry-policy.ts';
import { UnprocessableEventError } from './consumer-errors.ts';
import { errorMessage } from '../../lib/index.ts';

// The payment saga (report 1, 2.2.2). payment.try / payment.retry charge the gateway
// through the circuit breaker and record the outcome: success, a scheduled retry (an
// outbox row due later, so nobody sleeps in a partition loop), or failure.
// payment.failure compensates: refund whatever the gateway charged, release the seat.
// payment.cancel refunds and releases a paid seat. Refunds go through the one refund path
// (refunds.ts); one the gateway cannot take now is left to the reconciler, so settling a
// payment never waits for (or loops on) an unreachable gateway.
//
// Idempotency, three layers deep: the gateway charges once per paymentTxId (idempotency
// key); every outcome is written under the payment row's lock and only from the state it
// expects (PENDING, attempt not yet recorded); and each event id is recorded in
// processed_events with its effect, so a redelivered event changes nothing. The saga
// decides; the store (service/store/) makes every change and says what it changed.

export type Outcome = 'succeeded' | 'retry-scheduled' | 'failed' | 'compensated' | 'cancelled' | 'skipped';

export interface SagaDeps {
  db: Db;
  gateway: ChargeGateway;
  breaker: CircuitBreaker;
  retry: RetryPolicy;
  refunder: Refunder;
  onOutcome?: (topic: string, outcome: Outcome) => void;
}

export interface Saga {
  handle(topic: string, event: Envelope): Promise<Outcome>;
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

export function createSaga({ db, gateway, breaker, retry, refunder, onOutcome }: SagaDeps): Saga {
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
      return { payment, processed: await wasProcessed(conn, { eventId: event.eventId, handler }) };
    });
  }

  async function chargeAttempt(topic: string, event: Envelope): Promise<Outcome> {
    const { payment: before, processed } = await load(event, topic);
    if (before.status !== 'PENDING' || event.attempt <= before.attempts || processed) return 'skipped';
    // Past its deadline the payment is the deadline sweeper's to fail (deadline.ts): no new charge.
    if (before.deadlineAt !== null && Date.parse(before.deadlineAt) <= Date.now()) return 'skipped';
    const chargeKey = chargeKeyOf(event);
    let charge: Pick<GatewayCharge, 'id' | 'status'> | undefined;
    let error: unknown;
    try {
      charge = await breaker.execute(() => gateway.charge({ idempotencyKey: chargeKey, paymentTxId: event.paymentTxId, amount: before.amount }), isGatewayFailure);
    } catch (err) {
      error = err;
    }
    // Under the row lock, only if still PENDING, this attempt unrecorded, the event new; a
    // charge whose hold is no longer the payment's is recorded as a failure (HOLD_LOST) and
    // compensation refunds it (store/payments.ts).
    const r = await recordAttempt(db, { paymentTxId: event.paymentTxId, attempt: event.attempt, marker: { eventId: event.eventId, handler: topic } }, (p) => decideAttempt(p, event, chargeKey, charge, error));
    if (!r.recorded) return 'skipped';
    return r.outcome.kind === 'charged' ? 'succeeded' : r.outcome.kind === 'retry' ? 'retry-scheduled' : 'failed';
  }

  /** What a charge attempt came to; runs under the payment's lock (the retry mode is read there). */
  function decideAttempt(p: Payment, event: Envelope, chargeKey: string, charge: Pick<GatewayCharge, 'id' | 'status'> | undefined, error: unknown): AttemptOutcome {
    if (charge?.status === 'CHARGED') return { kind: 'charged', chargeId: charge.id };
    const reason = charge?.status === 'DECLINED' ? 'CARD_DECLINED' : describe(error);
    const decision = charge?.status === 'DECLINED' ? ({ action: 'give-up', reason: 'not-retriable' } as const) : retry.decide({ attempt: event.attempt, error });
    if (decision.action === 'retry') {
      return { kind: 'retry', reason, nextAttempt: decision.nextAttempt, delayMs: decision.delayMs, ...(chargeKey === p.paymentTxId ? {} : { chargeKey }) };
    }
    const why = decision.reason === 'circuit-open' ? 'Circuit breaker open' : reason;
    return { kind: 'give-up', reason, failure: { reason: why, giveUp: decision.reason } };
  }

  interface SagaSettlement {
    move: Extract<SettlementMove, 'compensate' | 'cancel'>;
    outcome: Outcome;
    /** The event-store record of the change (before the refund record, if any). */
    record: (refunded: number[], failureReason: string | undefined) => EventRecord;
    refundReason: Extract<RefundReason, 'compensation' | 'cancellation'>;
    /** Why it failed, from the event or else what the last attempt recorded. */
    failureReason?: (p: Payment) => string;
  }

  /**
   * Compensation and cancellation are the store's refund-and-release: refund whatever the
   * gateway charged, then, under the payment's lock and only from the move's status, the
   * final status, the hold and seat released, the event-store records.
   */
  async function settle(topic: string, event: Envelope, s: SagaSettlement): Promise<Outcome> {
    // A redelivered failure event of an earlier round must not refund a reprocessed round's charge.
    const { payment: before, processed } = await load(event, topic);
    if (!settles(s.move, before.status) || processed) return 'skipped';
    const r = await refundAndRelease(
      db,
      () => refunder.refundAll(event.paymentTxId, s.refundReason, `saga ${topic}`),
      ({ refunded, leftToReconcile }) => ({
        paymentTxId: event.paymentTxId,
        move: s.move,
        marker: { eventId: event.eventId, handler: topic },
        ...(s.failureReason ? { failureReason: s.failureReason } : {}),
        records: (_p, reason) => [
          withLeftToReconcile(s.record(refunded, reason), leftToReconcile),
          ...(refunded.length ? [{ type: EVENT_TYPES.paymentRefunded, data: { chargeIds: refunded, reason: s.refundReason } }] : []),
        ],
      }),
    );
    return r.result.settled ? s.outcome : 'skipped';
  }

  function compensate(topic: string, event: Envelope): Promise<Outcome> {
    return settle(topic, event, {
      move: 'compensate',
      outcome: 'compensated',
      failureReason: (p) => textOf(event.data.reason) ?? p.failureReason ?? 'failed',
      record: (refunded, reason) => ({ type: EVENT_TYPES.paymentFailed, data: { reason, refundedCharges: refunded } }),
      refundReason: 'compensation',
    });
  }

  function cancel(topic: string, event: Envelope): Promise<Outcome> {
    return settle(topic, event, {
      move: 'cancel',
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

/** The settlement's record, marked when some refund is left to the reconciler. */
function withLeftToReconcile(r: EventRecord, left: boolean): EventRecord {
  return left ? { ...r, data: { ...r.data, refundsLeftToReconciliation: true } } : r;
}

/** A field of an event as text: a string as it is; anything else (a producer's mistake) as JSON, not "[object Object]". */
function textOf(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function describe(err: unknown): string {
  if (!err) return 'unknown error';
  const e = err as { code?: string; message?: string };
  return e.code ? `${e.code}: ${e.message ?? ''}` : (e.message ?? errorMessage(err));
}
