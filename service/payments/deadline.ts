import { EVENT_TYPES } from '../../contracts/index.ts';
import type { Db } from '../db/connection.ts';
import { overduePayments, refundAndRelease } from '../store/index.ts';
import type { Refunder } from './refunds.ts';

// The payment deadline (issue #10): a payment still PENDING past deadline_at (intake sets it
// PAYMENT_DEADLINE_MS after the request) is failed and compensated here, whatever happened to
// its events: a payment.try stuck in the DLQ, a retry whose commit keeps failing, a consumer
// that never got to it. The same refund-and-release as the saga's compensation: refunds
// through the refund path (one the gateway cannot take now is the reconciler's), then, under
// the row lock and only from PENDING, FAILED and the hold released. A charge attempt still in
// flight finds the payment FAILED and records nothing; the reconciler refunds its charge.

export interface DeadlineSweep {
  /** Fails the payments past their deadline (up to `limit`); returns how many this call settled. */
  failOverdue(limit?: number): Promise<number>;
}

export function createDeadlineSweep({ db, refunder, onExpired }: { db: Db; refunder: Refunder; onExpired?: () => void }): DeadlineSweep {
  return {
    async failOverdue(limit = 50) {
      let settled = 0;
      for (const paymentTxId of await overduePayments(db, limit)) {
        const r = await refundAndRelease(
          db,
          () => refunder.refundAll(paymentTxId, 'compensation', 'payment deadline'),
          ({ refunded, leftToReconcile }) => ({
            paymentTxId,
            move: 'compensate',
            failureReason: (p) => `DEADLINE_EXCEEDED: still PENDING at its deadline ${p.deadlineAt ?? ''}${p.failureReason ? ` (last attempt: ${p.failureReason})` : ''}`.slice(0, 500),
            records: (_p, reason) => [
              { type: EVENT_TYPES.paymentFailed, data: { reason, giveUp: 'deadline', refundedCharges: refunded, ...(leftToReconcile ? { refundsLeftToReconciliation: true } : {}) } },
              ...(refunded.length ? [{ type: EVENT_TYPES.paymentRefunded, data: { chargeIds: refunded, reason: 'compensation' } }] : []),
            ],
          }),
        );
        if (r.result.settled) {
          settled++;
          onExpired?.();
        }
      }
      return settled;
    },
  };
}
