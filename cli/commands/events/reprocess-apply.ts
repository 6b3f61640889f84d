import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import { withTransaction } from '../../../service/index.ts';
import { EVENT_TYPES, newEnvelope } from '../../../contracts/index.ts';
import { appendEvent } from '../../../service/index.ts';
import { TOPICS } from '../../../contracts/index.ts';
import { enqueue } from '../../../service/index.ts';
import { lockPayment } from '../../../service/index.ts';
import type { ReprocessItem } from './reprocess-plan.ts';

// Revives one failed payment in one transaction, the way intake starts a payment: the
// state change, its event-store record and its payment.try outbox row commit together, so
// the try is published if and only if the reset happened (the service's relays publish it).
// Every change is conditional on the state the plan saw, under row locks; if anything moved
// meanwhile (the seat was taken, the payment changed) the whole revival rolls back and the
// payment is reported skipped.

/** How long a revived hold lasts; the sweeper never expires a hold with a PENDING payment anyway. */
const REVIVED_HOLD_MINUTES = 5;

class Skip extends Error {}

export async function revive(pool: Pool, r: ReprocessItem): Promise<{ revived: true } | { revived: false; reason: string }> {
  try {
    await withTransaction({ pool, acquireTimeoutMs: 5000 }, (conn) => reviveIn(conn, r));
    return { revived: true };
  } catch (err) {
    if (err instanceof Skip) return { revived: false, reason: err.message };
    if ((err as { code?: string }).code === 'ER_DUP_ENTRY') return { revived: false, reason: `the database refused it (${(err as Error).message}): the seat or hold has another live hold or payment now` };
    throw err;
  }
}

async function reviveIn(conn: PoolConnection, r: ReprocessItem): Promise<void> {
  const p = await lockPayment(conn, r.paymentTxId);
  if (!p || p.status !== r.previousStatus) throw new Skip(`its status is ${p?.status ?? 'gone'} now, not ${r.previousStatus}`);
  const [[hold]] = await conn.query<RowDataPacket[]>('SELECT status FROM holds WHERE id = ? FOR UPDATE', [r.holdId]);
  if (!hold) throw new Skip(`its hold ${r.holdId} no longer exists`);
  if (hold.status !== 'ACTIVE') {
    const [h] = await conn.query<any>(
      "UPDATE holds SET status = 'ACTIVE', expires_at = NOW(3) + INTERVAL ? MINUTE WHERE id = ? AND status IN ('RELEASED', 'EXPIRED')",
      [REVIVED_HOLD_MINUTES, r.holdId],
    );
    if (h.affectedRows !== 1) throw new Skip(`its hold ${r.holdId} is ${hold.status}`);
  }
  const [s] = await conn.query<any>(
    "UPDATE seats SET status = 'HELD', hold_id = ? WHERE id = ? AND (status = 'AVAILABLE' OR (status = 'HELD' AND hold_id = ?))",
    [r.holdId, r.seatId, r.holdId],
  );
  if (s.affectedRows !== 1) throw new Skip(`seat ${r.seatId} was taken meanwhile`);
  await conn.query("UPDATE payment_transactions SET status = 'PENDING', attempts = 0, failure_reason = NULL WHERE payment_tx_id = ?", [r.paymentTxId]);
  await appendEvent(conn, r.paymentTxId, EVENT_TYPES.paymentReprocessRequested, {
    round: r.round, chargeKey: r.chargeKey, previousStatus: r.previousStatus, previousAttempts: r.previousAttempts, previousFailureReason: r.failureReason, by: 'ticketctl events reprocess',
  });
  const event = newEnvelope(EVENT_TYPES.paymentReprocessRequested, r.paymentTxId, 1, { holdId: r.holdId, seatId: r.seatId, userId: r.userId, amount: r.amount, chargeKey: r.chargeKey, round: r.round });
  await enqueue(conn, TOPICS.paymentTry, event);
}
