import { createHash } from 'node:crypto';
import type { RowDataPacket } from 'mysql2/promise';
import { requestDeadline, withConnection, withTransaction, type Db } from '../db/connection.ts';
import { badRequest, conflict, notFound, ServiceError } from '../errors.ts';
import { holdSecretMatches, lockPayment, readPayment, recordCancelRequested, recordPaymentRequested, type Payment } from '../store/index.ts';

// Payment requests (report 1 and 2.0.1 #3). A request is stored PENDING together with its
// payment.try event in one transaction and answered at once; the saga does the rest. The
// client-chosen paymentTxId makes the request idempotent. The checks are here; the rows are
// written by the store (service/store/).
//
// Only the hold's owner pays or cancels (issue #10, item 6): both need the holdSecret that
// POST /holds answered, checked against the hold's stored hash before anything is read out
// or changed, also before a replay is answered. A userId alone is no proof: anyone can send
// one. The secret is not part of requestHash: a retry of the same body is the same request.

export type { Payment, PaymentStatus } from '../store/index.ts';

export interface PaymentRequest {
  paymentTxId: string;
  holdId: string;
  userId: string;
  amount: number;
  /** Proof of owning the hold; optional in the schema so that a missing one is a 403 here. */
  holdSecret?: string;
}

export interface Payments {
  /** `replayed` is true when this paymentTxId already existed with the same request. */
  requestPayment(req: PaymentRequest): Promise<{ payment: Payment; replayed: boolean }>;
  getPayment(paymentTxId: string): Promise<Payment>;
  requestCancel(paymentTxId: string, userId: string, holdSecret?: string): Promise<Payment>;
}

/**
 * 403 HOLD_SECRET_INVALID unless `presented` is the secret of `holdId` (its hash `storedHash`).
 * The messages never echo what was sent.
 */
export function checkHoldSecret(holdId: string, storedHash: string | null | undefined, presented: string | undefined, action: 'pay for' | 'cancel the payment of'): void {
  if (holdSecretMatches(presented, storedHash)) return;
  const message =
    storedHash == null
      ? `Hold ${holdId} was made before hold secrets existed, so no holdSecret can prove it is yours${action === 'pay for' ? ': hold the seat again (POST /holds) and pay with the holdSecret that answer carries' : ': it cannot be cancelled here; ask support, an operator can cancel it on your behalf'}.`
      : presented === undefined
        ? `holdSecret is required to ${action} hold ${holdId}: send the holdSecret that POST /holds answered for it.`
        : `holdSecret does not match hold ${holdId}: send the holdSecret that POST /holds answered for this hold.`;
  throw new ServiceError(message, { status: 403, code: 'HOLD_SECRET_INVALID', field: 'holdSecret' });
}

export function requestHash(req: PaymentRequest): string {
  return createHash('sha256')
    .update(JSON.stringify([req.holdId, req.userId, req.amount]))
    .digest('hex');
}

/** How long a payment may stay PENDING by default (PAYMENT_DEADLINE_MS): 1 + 3 gateway attempts with backoff fit well inside. */
export const DEFAULT_PAYMENT_DEADLINE_MS = 180_000;

export function createPayments({ db, deadlineMs = DEFAULT_PAYMENT_DEADLINE_MS }: { db: Db; deadlineMs?: number }): Payments {
  async function attempt(req: PaymentRequest): Promise<{ payment: Payment; replayed: boolean }> {
    // All of intake within DB_REQUEST_DEADLINE_MS, else a prompt 503.
    return withTransaction(
      db,
      async (conn) => {
        // A plain read, not FOR UPDATE: a locking read of a key that does not exist yet takes
        // a gap lock, and concurrent requests holding that gap deadlock on their INSERTs (20
        // identical requests got 500s). A racer that loses the INSERT retries and replays.
        const [[found]] = await conn.query<RowDataPacket[]>('SELECT p.request_hash, h.secret_hash FROM payment_transactions p LEFT JOIN holds h ON h.id = p.hold_id WHERE p.payment_tx_id = ?', [
          req.paymentTxId,
        ]);
        if (found) {
          if (found.request_hash !== requestHash(req)) {
            throw conflict(`paymentTxId ${req.paymentTxId} was already used for a different request.`, 'IDEMPOTENCY_CONFLICT', 'paymentTxId');
          }
          // Same body, so the same hold: its secret, before saying anything about the payment.
          checkHoldSecret(req.holdId, found.secret_hash, req.holdSecret, 'pay for');
          return { payment: (await lockPayment(conn, req.paymentTxId))!, replayed: true };
        }
        const [holds] = await conn.query<RowDataPacket[]>(
          'SELECT h.id, h.seat_id, h.user_id, h.status, h.secret_hash, h.expires_at < NOW(3) AS expired, s.price FROM holds h JOIN seats s ON s.id = h.seat_id WHERE h.id = ? FOR UPDATE',
          [req.holdId],
        );
        const hold = holds[0];
        if (!hold) throw new ServiceError(`Hold ${req.holdId} does not exist.`, { status: 404, code: 'HOLD_NOT_FOUND', field: 'holdId' });
        // First, so that without the secret nothing about the hold (owner, state, price) is told.
        checkHoldSecret(req.holdId, hold.secret_hash, req.holdSecret, 'pay for');
        if (hold.user_id !== req.userId) throw conflict(`Hold ${req.holdId} belongs to another user.`, 'HOLD_NOT_YOURS', 'userId');
        if (hold.status !== 'ACTIVE' || Number(hold.expired) === 1)
          throw conflict(`Hold ${req.holdId} is ${hold.status === 'ACTIVE' ? 'EXPIRED' : hold.status}; hold the seat again.`, 'HOLD_NOT_ACTIVE', 'holdId');
        if (Number(hold.price) !== req.amount) throw badRequest('amount', `amount must be the seat's price, ${hold.price}.`, 'AMOUNT_MISMATCH');
        // Inserts exactly one row or throws (ER_DUP_ENTRY, mapped below), so its count is not read.
        await recordPaymentRequested(conn, { paymentTxId: req.paymentTxId, userId: req.userId, seatId: Number(hold.seat_id), holdId: req.holdId, amount: req.amount, requestHash: requestHash(req), deadlineMs });
        return { payment: (await lockPayment(conn, req.paymentTxId))!, replayed: false };
      },
      requestDeadline(db),
    );
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

    async requestCancel(paymentTxId, userId, holdSecret) {
      return withTransaction(db, async (conn) => {
        const p = await lockPayment(conn, paymentTxId);
        if (!p) throw notFound('Payment', paymentTxId, 'PAYMENT_NOT_FOUND');
        // A paymentTxId and a userId are no proof (they travel in URLs and logs); the secret is.
        const [[h]] = await conn.query<RowDataPacket[]>('SELECT secret_hash FROM holds WHERE id = ?', [p.holdId]);
        checkHoldSecret(p.holdId, h?.secret_hash, holdSecret, 'cancel the payment of');
        if (p.userId !== userId) throw conflict(`Payment ${paymentTxId} belongs to another user.`, 'PAYMENT_NOT_YOURS', 'userId');
        if (p.status !== 'SUCCESS') throw conflict(`Only a successful payment can be cancelled; this one is ${p.status}.`, 'NOT_CANCELLABLE');
        await recordCancelRequested(conn, p, userId);
        return p;
      });
    },
  };
}
