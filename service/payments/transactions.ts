import { createHash } from 'node:crypto';
import type { RowDataPacket } from 'mysql2/promise';
import { requestDeadline, withConnection, withTransaction, type Db } from '../db/connection.ts';
import { badRequest, conflict, notFound, ServiceError } from '../errors.ts';
import { lockPayment, readPayment, recordCancelRequested, recordPaymentRequested, type Payment } from '../store/index.ts';

// Payment requests (report 1 and 2.0.1 #3). A request is stored PENDING together with its
// payment.try event in one transaction and answered at once; the saga does the rest. The
// client-chosen paymentTxId makes the request idempotent. The checks are here; the rows are
// written by the store (service/store/).

export type { Payment, PaymentStatus } from '../store/index.ts';

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
  return createHash('sha256')
    .update(JSON.stringify([req.holdId, req.userId, req.amount]))
    .digest('hex');
}

export function createPayments({ db }: { db: Db }): Payments {
  async function attempt(req: PaymentRequest): Promise<{ payment: Payment; replayed: boolean }> {
    return withTransaction(
      db,
      async (conn) => {
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
        if (hold.status !== 'ACTIVE' || Number(hold.expired) === 1)
          throw conflict(`Hold ${req.holdId} is ${hold.status === 'ACTIVE' ? 'EXPIRED' : hold.status}; hold the seat again.`, 'HOLD_NOT_ACTIVE', 'holdId');
        if (Number(hold.price) !== req.amount) throw badRequest('amount', `amount must be the seat's price, ${hold.price}.`, 'AMOUNT_MISMATCH');
        // Inserts exactly one row or throws (ER_DUP_ENTRY, mapped below), so its count is not read.
        await recordPaymentRequested(conn, { paymentTxId: req.paymentTxId, userId: req.userId, seatId: Number(hold.seat_id), holdId: req.holdId, amount: req.amount, requestHash: requestHash(req) });
        return { payment: (await lockPayment(conn, req.paymentTxId))!, replayed: false };
      },
      requestDeadline(db),
    ); // all of intake within DB_REQUEST_DEADLINE_MS, else a prompt 503
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
        await recordCancelRequested(conn, p, userId);
        return p;
      });
    },
  };
}
