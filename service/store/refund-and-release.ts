import type { PoolConnection } from 'mysql2/promise';
import { withTransaction, type Db } from '../db/connection.ts';
import type { EventType } from '../../contracts/index.ts';
import { appendEvent } from './event-store.ts';
import { markFirstDelivery, type ProcessedMarker } from './processed-events.ts';
import { lockPayment, write, type Changed, type Payment } from './rows.ts';
import { HOLD, MOVES, PAYMENT, SEAT, applies, fromStates, type PaymentStatus } from './state-machine.ts';

// Refund and release: the one way money goes back. The saga's compensation
// (payment.failure), its cancellation (payment.cancel) and `ticketctl payments
// refund-duplicates` all take these steps, in this order:
//   1. the money first, through the gateway, with idempotency keys (the caller's `refund`);
//   2. then one transaction: the payment row locked, and only from the status its move
//      expects (and, for an event, only on its first delivery), the final status, the hold
//      and seat the move names released, and the event-store records.
// A crash between 1 and 2 leaves the payment in its old status, so a rerun (a redelivered
// event, the command run again) refunds again (the keys replay; nothing is refunded
// twice) and settles then.

export type SettlementMove = 'compensate' | 'cancel' | 'refundDuplicate';

export interface EventRecord {
  type: EventType;
  data: Record<string, unknown>;
}

export interface Settlement {
  paymentTxId: string;
  move: SettlementMove;
  /** A saga event's processed marker, written with the change: a redelivery settles nothing. */
  marker?: ProcessedMarker;
  /** The failure_reason to record, from the locked payment; omitted: left as it is. */
  failureReason?: (p: Payment) => string;
  /** The event-store records of the change, appended in this order. */
  records: (p: Payment, failureReason: string | undefined) => EventRecord[];
}

export type Settled =
  | { settled: true; payment: Payment; changed: Changed }
  /** Nothing changed: the payment is missing, not in the move's `from` status, or the event was processed already. */
  | { settled: false; status: PaymentStatus | undefined; why: 'missing' | 'status' | 'redelivered' };

/** The status a settlement move starts from, for a caller's pre-check before it moves money. */
export function settles(move: SettlementMove, status: PaymentStatus): boolean {
  return applies(PAYMENT[MOVES[move].payment], status);
}

/** Steps 1 and 2 above: `refund` moves the money, `settlement` says how to record it. */
export async function refundAndRelease<R>(db: Db, refund: () => Promise<R>, settlement: (refunded: R) => Settlement): Promise<{ refunded: R; result: Settled }> {
  const refunded = await refund();
  const result = await settle(db, settlement(refunded));
  return { refunded, result };
}

async function settle(db: Db, s: Settlement): Promise<Settled> {
  const move = MOVES[s.move];
  const pay = PAYMENT[move.payment];
  return withTransaction(db, async (conn) => {
    const p = await lockPayment(conn, s.paymentTxId);
    if (!p) return { settled: false, status: undefined, why: 'missing' };
    if (!applies(pay, p.status)) return { settled: false, status: p.status, why: 'status' };
    if (s.marker && !(await markFirstDelivery(conn, s.marker))) return { settled: false, status: p.status, why: 'redelivered' };
    const reason = s.failureReason?.(p);
    const payment =
      reason === undefined
        ? await write(conn, 'UPDATE payment_transactions SET status = ? WHERE payment_tx_id = ? AND status IN (?)', [pay.to, p.paymentTxId, fromStates(pay)])
        : await write(conn, 'UPDATE payment_transactions SET status = ?, failure_reason = ? WHERE payment_tx_id = ? AND status IN (?)', [pay.to, reason.slice(0, 500), p.paymentTxId, fromStates(pay)]);
    // The row is locked and its status checked: anything but one row changed is a bug, rolled back.
    if (payment !== 1) throw new Error(`settling ${p.paymentTxId} (${s.move}) changed ${payment} payment rows instead of one; rolled back`);
    const released = 'hold' in move ? await release(conn, p, move.hold, move.seat) : { hold: 0, seat: 0 };
    for (const r of s.records(p, reason)) await appendEvent(conn, p.paymentTxId, r.type, r.data);
    return { settled: true, payment: p, changed: { payment, ...released } };
  });
}

/** The payment's hold to its move's status and its seat back to AVAILABLE (only while the seat is still this hold's). */
async function release(conn: PoolConnection, p: Payment, holdMove: 'release' | 'cancel', seatMove: 'release'): Promise<{ hold: number; seat: number }> {
  const hold = HOLD[holdMove];
  const seat = SEAT[seatMove];
  const holds = await write(conn, 'UPDATE holds SET status = ? WHERE id = ? AND status IN (?)', [hold.to, p.holdId, fromStates(hold)]);
  const seats = await write(conn, 'UPDATE seats SET status = ?, hold_id = NULL WHERE id = ? AND hold_id = ? AND status IN (?)', [seat.to, p.seatId, p.holdId, fromStates(seat)]);
  return { hold: holds, seat: seats };
}
