import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import { withTransaction, type Db } from '../db/connection.ts';
import { EVENT_TYPES, newEnvelope, TOPICS } from '../../contracts/index.ts';
import { appendEvent } from './event-store.ts';
import { enqueue } from './outbox.ts';
import { lockPayment, write, type Changed } from './rows.ts';
import { HOLD, MOVES, PAYMENT, SEAT, applies, fromStates } from './state-machine.ts';

// Move revive (`ticketctl events reprocess`, report 4.3.2): a failed payment is started
// again the way intake starts one. The state change, its event-store record and its
// payment.try outbox row commit together, so the try is published if and only if the reset
// happened (the service's relays publish it). Every change is conditional on the state the
// caller's plan saw, under row locks; if anything moved meanwhile (the seat was taken, the
// payment changed) the whole revival rolls back and the payment is reported skipped.

/** How long a revived hold lasts; the sweeper never expires a hold with a PENDING payment anyway. */
const REVIVED_HOLD_MINUTES = 5;

export interface Revival {
  paymentTxId: string;
  userId: string;
  seatId: number;
  holdId: string;
  amount: number;
  /** The status the caller's plan saw; anything else now skips the payment. */
  previousStatus: string;
  previousAttempts: number;
  failureReason: string | null;
  round: number;
  /** The gateway idempotency key of this round (rides on the payment.try event). */
  chargeKey: string;
  /** Who asked, for the event-store record. */
  by: string;
}

export type Revived = { revived: true; changed: Changed } | { revived: false; reason: string };

class Skip extends Error {}

export async function revivePayment(db: Db, r: Revival): Promise<Revived> {
  try {
    const changed = await withTransaction(db, (conn) => reviveIn(conn, r));
    return { revived: true, changed };
  } catch (err) {
    if (err instanceof Skip) return { revived: false, reason: err.message };
    if ((err as { code?: string }).code === 'ER_DUP_ENTRY') return { revived: false, reason: `the database refused it (${(err as Error).message}): the seat or hold has another live hold or payment now` };
    throw err;
  }
}

async function reviveIn(conn: PoolConnection, r: Revival): Promise<Changed> {
  const pay = PAYMENT[MOVES.revive.payment];
  const hold = HOLD[MOVES.revive.hold];
  const seat = SEAT[MOVES.revive.seat];
  const p = await lockPayment(conn, r.paymentTxId);
  if (!p || p.status !== r.previousStatus || !applies(pay, p.status)) throw new Skip(`its status is ${p?.status ?? 'gone'} now, not ${r.previousStatus}`);
  const [[h]] = await conn.query<RowDataPacket[]>('SELECT status FROM holds WHERE id = ? FOR UPDATE', [r.holdId]);
  if (!h) throw new Skip(`its hold ${r.holdId} no longer exists`);
  let holds = 0;
  if (h.status !== hold.to) {
    holds = await write(conn, 'UPDATE holds SET status = ?, expires_at = NOW(3) + INTERVAL ? MINUTE WHERE id = ? AND status IN (?)', [hold.to, REVIVED_HOLD_MINUTES, r.holdId, fromStates(hold)]);
    if (holds !== 1) throw new Skip(`its hold ${r.holdId} is ${h.status}`);
  }
  // retake: the seat AVAILABLE, or HELD already by this very hold.
  const seats = await write(conn, "UPDATE seats SET status = ?, hold_id = ? WHERE id = ? AND status IN (?) AND (status = 'AVAILABLE' OR hold_id = ?)", [seat.to, r.holdId, r.seatId, fromStates(seat), r.holdId]);
  if (seats !== 1) throw new Skip(`seat ${r.seatId} was taken meanwhile`);
  // A new round gets a new deadline, as long as the first one was (180 s for rows older than deadlines).
  const payment = await write(
    conn,
    `UPDATE payment_transactions SET status = ?, attempts = 0, failure_reason = NULL,
            deadline_at = NOW(3) + INTERVAL TIMESTAMPDIFF(MICROSECOND, created_at, COALESCE(deadline_at, created_at + INTERVAL 180 SECOND)) MICROSECOND
      WHERE payment_tx_id = ? AND status IN (?)`,
    [pay.to, r.paymentTxId, fromStates(pay)],
  );
  if (payment !== 1) throw new Skip(`its row changed meanwhile (${payment} rows matched)`);
  await appendEvent(conn, r.paymentTxId, EVENT_TYPES.paymentReprocessRequested, {
    round: r.round,
    chargeKey: r.chargeKey,
    previousStatus: r.previousStatus,
    previousAttempts: r.previousAttempts,
    previousFailureReason: r.failureReason,
    by: r.by,
  });
  const event = newEnvelope(EVENT_TYPES.paymentReprocessRequested, r.paymentTxId, 1, { holdId: r.holdId, seatId: r.seatId, userId: r.userId, amount: r.amount, chargeKey: r.chargeKey, round: r.round });
  await enqueue(conn, TOPICS.paymentTry, event);
  return { payment, hold: holds, seat: seats };
}
