import type { Pool, RowDataPacket } from 'mysql2/promise';
import { EVENT_TYPES } from '../../../contracts/index.ts';
import type { ReprocessCandidate } from './reprocess-plan.ts';

// Reads the payments `events reprocess` may revive, with what decides it: their hold, their
// seat, the hold live on that seat now, and how many reprocess rounds they had.

export interface CandidateQuery {
  statuses: string[];
  since: Date;
  until: Date;
  paymentIds: string[];
  reason?: string;
  limit: number;
}

const iso = (v: unknown) => new Date(v as string).toISOString();

export async function readCandidates(pool: Pool, q: CandidateQuery): Promise<ReprocessCandidate[]> {
  const where = ['p.status IN (?)', 'p.created_at BETWEEN ? AND ?'];
  const values: unknown[] = [EVENT_TYPES.paymentReprocessRequested, q.statuses, q.since, q.until];
  if (q.paymentIds.length) {
    where.push('p.payment_tx_id IN (?)');
    values.push(q.paymentIds);
  }
  if (q.reason) {
    where.push('p.failure_reason LIKE ?');
    values.push(`%${q.reason.replace(/[\\%_]/g, (m) => `\\${m}`)}%`);
  }
  values.push(q.limit);
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT p.payment_tx_id, p.user_id, p.seat_id, p.hold_id, p.amount, p.status, p.attempts, p.failure_reason, p.created_at, p.updated_at,
            h.status AS hold_status, s.status AS seat_status, s.hold_id AS seat_hold_id,
            (SELECT h2.id FROM holds h2 WHERE h2.live_seat = p.seat_id) AS live_hold_on_seat,
            (SELECT COUNT(*) FROM event_store e WHERE e.aggregate_id = p.payment_tx_id AND e.event_type = ?) AS rounds
       FROM payment_transactions p
       LEFT JOIN holds h ON h.id = p.hold_id
       LEFT JOIN seats s ON s.id = p.seat_id
      WHERE ${where.join(' AND ')}
      ORDER BY p.created_at, p.payment_tx_id
      LIMIT ?`,
    values,
  );
  return rows.map((r) => ({
    paymentTxId: String(r.payment_tx_id),
    userId: String(r.user_id),
    seatId: Number(r.seat_id),
    holdId: String(r.hold_id),
    amount: Number(r.amount),
    status: String(r.status),
    attempts: Number(r.attempts),
    failureReason: r.failure_reason ?? null,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    holdStatus: r.hold_status ?? null,
    seatStatus: r.seat_status ?? null,
    seatHoldId: r.seat_hold_id ?? null,
    liveHoldOnSeat: r.live_hold_on_seat ?? null,
    rounds: Number(r.rounds),
  }));
}

export interface PaymentState {
  paymentTxId: string;
  status: string;
  attempts: number;
  failureReason: string | null;
}

export async function readStates(pool: Pool, ids: string[]): Promise<PaymentState[]> {
  if (!ids.length) return [];
  const [rows] = await pool.query<RowDataPacket[]>('SELECT payment_tx_id, status, attempts, failure_reason FROM payment_transactions WHERE payment_tx_id IN (?)', [ids]);
  return rows.map((r) => ({ paymentTxId: String(r.payment_tx_id), status: String(r.status), attempts: Number(r.attempts), failureReason: r.failure_reason ?? null }));
}
