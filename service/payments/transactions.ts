import { createHash } from 'node:crypto';
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import { withConnection, withTransaction, type Db } from '../db/connection.ts';
import { badRequest, conflict, notFound, ServiceError } from '../errors.ts';
import { EVENT_TYPES, newEnvelope } from '../../contracts/index.ts';
import { appendEvent } from '../events/event-store.ts';
import { TOPICS } from '../../contracts/index.ts';
import { enqueue } from './outbox.ts';

// Payment requests (report 1 and 2.0.1 #3). A request is stored PENDING together with its
// payment.try event in one transaction and answered at once; the saga does the rest. The
// client-chosen paymentTxId makes the request idempotent.

export type PaymentStatus = 'PENDING' | 'SUCCESS' | 'FAILED' | 'CANCELLED' | 'REFUNDED';

export interface Payment {
  paymentTxId: string;
  userId: string;
  seatId: number;
  holdId: string;
  amount: number;
  status: PaymentStatus;
  attempts: number;
  failureReason: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface PaymentRequest {
  paymentTxId: string;
  holdId: string;
  userId: string;
  amount: number;
}

export interface Payments {
  /** `replayed` is true when this paymentTxId already existed with the same request. */
  requestPayment(req: PaymentRequest): Promise<{ payment: Payment; replayed: boolean }>;
  getPayment(paymentTxId: string): Promise<Payment>;
  requestCancel(paymentTxId: string, userId: string): Promise<Payment>;
}

export function requestHash(req: PaymentRequest): string {
  return createHash('sha256').update(JSON.stringify([req.holdId, req.userId, req.amount])).digest('hex');
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
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
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

export function createPayments({ db }: { db: Db }): Payments {
  async function attempt(req: PaymentRequest): Promise<{ payment: Payment; replayed: boolean }> {
    return withTransaction(db, async (conn) => {
      // A plain read, not FOR UPDATE: a locking read of a key that does not exist yet takes
      // a gap lock, and concurrent requests holding that gap deadlock on their INSERTs (20
      // identical requests got 500s). A racer that loses the INSERT retries and replays.
      const [[found]] = await conn.query<RowDataPacket[]>('SELECT request_hash FROM payment_transactions WHERE payment_tx_id = ?', [req.paymentTxId]);
      if (found) {
        if (found.request_hash !== requestHash(req)) {
          throw conflict(`paymentTxId ${req.paymentTxId} was already used for a different request.`, 'IDEMPOTENCY_CONFLICT', 'paymentTxId');
        }
        return { payment: (await lockPayment(conn, req.paymentTxId))!, replayed: true };
      }
      const [holds] = await conn.query<RowDataPacket[]>(
        'SELECT h.id, h.seat_id, h.user_id, h.status, h.expires_at < NOW(3) AS expired, s.price FROM holds h JOIN seats s ON s.id = h.seat_id WHERE h.id = ? FOR UPDATE',
        [req.holdId],
      );
      const hold = holds[0];
      if (!hold) throw new ServiceError(`Hold ${req.holdId} does not exist.`, { status: 404, code: 'HOLD_NOT_FOUND', field: 'holdId' });
      if (hold.user_id !== req.userId) throw conflict(`Hold ${req.holdId} belongs to another user.`, 'HOLD_NOT_YOURS', 'userId');
      if (hold.status !== 'ACTIVE' || Number(hold.expired) === 1) throw conflict(`Hold ${req.holdId} is ${hold.status === 'ACTIVE' ? 'EXPIRED' : hold.status}; hold the seat again.`, 'HOLD_NOT_ACTIVE', 'holdId');
      if (Number(hold.price) !== req.amount) throw badRequest('amount', `amount must be the seat's price, ${hold.price}.`, 'AMOUNT_MISMATCH');
      await conn.query(
        "INSERT INTO payment_transactions (payment_tx_id, user_id, seat_id, hold_id, amount, status, request_hash) VALUES (?, ?, ?, ?, ?, 'PENDING', ?)",
        [req.paymentTxId, req.userId, hold.seat_id, req.holdId, req.amount, requestHash(req)],
      );
      const event = newEnvelope(EVENT_TYPES.paymentRequested, req.paymentTxId, 1, { holdId: req.holdId, seatId: Number(hold.seat_id), userId: req.userId, amount: req.amount });
      await appendEvent(conn, req.paymentTxId, event.type, event.data);
      await enqueue(conn, TOPICS.paymentTry, event);
      return { payment: (await lockPayment(conn, req.paymentTxId))!, replayed: false };
    });
  }

  return {
    async requestPayment(req) {
      try {
        return await attempt(req);
      } catch (err) {
        const code = (err as { code?: string }).code;
        // Two requests with one new paymentTxId raced: the loser retries and finds the winner.
        if (code === 'ER_DUP_ENTRY' && /PRIMARY/.test((err as Error).message)) return attempt(req);
        if (code === 'ER_LOCK_DEADLOCK') return attempt(req);
        if (code === 'ER_DUP_ENTRY') throw conflict(`Hold ${req.holdId} already has a payment in progress or completed.`, 'HOLD_ALREADY_PAID', 'holdId');
        throw err;
      }
    },

    async getPayment(paymentTxId) {
      const p = await withConnection(db, (conn) => readPayment(conn, paymentTxId));
      if (!p) throw notFound('Payment', paymentTxId, 'PAYMENT_NOT_FOUND');
      return p;
    },

    async requestCancel(paymentTxId, userId) {
      return withTransaction(db, async (conn) => {
        const p = await lockPayment(conn, paymentTxId);
        if (!p) throw notFound('Payment', paymentTxId, 'PAYMENT_NOT_FOUND');
        if (p.userId !== userId) throw conflict(`Payment ${paymentTxId} belongs to another user.`, 'PAYMENT_NOT_YOURS', 'userId');
        if (p.status !== 'SUCCESS') throw conflict(`Only a successful payment can be cancelled; this one is ${p.status}.`, 'NOT_CANCELLABLE');
        const event = newEnvelope(EVENT_TYPES.paymentCancelRequested, paymentTxId, p.attempts, { userId });
        await appendEvent(conn, paymentTxId, event.type, event.data);
        await enqueue(conn, TOPICS.paymentCancel, event);
        return p;
      });
    },
  };
}
