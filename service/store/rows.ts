import type { PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { HoldStatus, PaymentStatus } from './state-machine.ts';

// The rows the store owns, as the rest of the service reads them, and the reads the store's
// own changes start from (a plain read to decide, a locking read to change).

export interface Payment {
  paymentTxId: string;
  userId: string;
  seatId: number;
  holdId: string;
  amount: number;
  status: PaymentStatus;
  attempts: number;
  failureReason: string | null;
  /** Past this the deadline sweeper fails the payment if it is still PENDING (null: rows older than the deadline). */
  deadlineAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Hold {
  holdId: string;
  seatId: number;
  userId: string;
  status: HoldStatus;
  lockMode: 'REDIS' | 'DATABASE';
  expiresAt: string;
}

/** How many rows of each table one change touched (affectedRows), for the caller to act on. */
export interface Changed {
  payment: number;
  hold: number;
  seat: number;
}

export function toPayment(r: RowDataPacket): Payment {
  return {
    paymentTxId: r.payment_tx_id,
    userId: r.user_id,
    seatId: Number(r.seat_id),
    holdId: r.hold_id,
    amount: Number(r.amount),
    status: r.status,
    attempts: Number(r.attempts),
    failureReason: r.failure_reason ?? null,
    deadlineAt: r.deadline_at ? new Date(r.deadline_at).toISOString() : null,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

export function toHold(r: RowDataPacket): Hold {
  return {
    holdId: r.id,
    seatId: Number(r.seat_id),
    userId: r.user_id,
    status: r.status,
    lockMode: r.lock_mode,
    expiresAt: new Date(r.expires_at).toISOString(),
  };
}

/** The payment as it stands, without a lock: for answers and for deciding whether to act. */
export async function readPayment(conn: PoolConnection, paymentTxId: string): Promise<Payment | undefined> {
  const [rows] = await conn.query<RowDataPacket[]>('SELECT * FROM payment_transactions WHERE payment_tx_id = ?', [paymentTxId]);
  return rows[0] ? toPayment(rows[0]) : undefined;
}

/** The payment with its row locked until the caller's transaction ends: for changing it. */
export async function lockPayment(conn: PoolConnection, paymentTxId: string): Promise<Payment | undefined> {
  const [rows] = await conn.query<RowDataPacket[]>('SELECT * FROM payment_transactions WHERE payment_tx_id = ? FOR UPDATE', [paymentTxId]);
  return rows[0] ? toPayment(rows[0]) : undefined;
}

export async function readHold(conn: PoolConnection, holdId: string): Promise<Hold | undefined> {
  const [rows] = await conn.query<RowDataPacket[]>('SELECT * FROM holds WHERE id = ?', [holdId]);
  return rows[0] ? toHold(rows[0]) : undefined;
}

/** One write statement, answering how many rows it changed (mysql2 counts matched rows). */
export async function write(conn: PoolConnection, sql: string, values: unknown[]): Promise<number> {
  const [r] = await conn.query<ResultSetHeader>(sql, values);
  return r.affectedRows;
}
