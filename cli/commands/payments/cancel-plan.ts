import type { Plan } from '../../shared/mutation.ts';

// The plan of `ticketctl payments cancel` (pure): what cancelling one SUCCESS payment on the
// customer's behalf does. The command only records the request (as the customer's cancel
// does); the saga refunds and releases, so the steps say which does what.

export interface CancelTarget {
  paymentTxId: string;
  userId: string;
  seatId: number;
  holdId: string;
  amount: number;
  status: string;
  /** Whether the hold has a secret the customer could cancel with (holds made before migration 009 have none). */
  holdHasSecret: boolean;
  /** A PaymentCancelRequested is in the event store already (the saga has it, or will). */
  cancelRequested: boolean;
}

/** The payment's charges at the gateway, with what is left to refund of each. */
export interface ChargeLeft {
  chargeId: number;
  left: number;
}

export interface CancelPlanData {
  paymentTxId: string;
  userId: string;
  seatId: number;
  amount: number;
  status: string;
  reason: string;
  charges: ChargeLeft[];
  refundTotal: number;
}

export function cancelPlan(t: CancelTarget, charges: ChargeLeft[], reason: string): Plan<CancelPlanData> {
  const open = charges.filter((c) => c.left > 0);
  const refundTotal = open.reduce((s, c) => s + c.left, 0);
  const data: CancelPlanData = { paymentTxId: t.paymentTxId, userId: t.userId, seatId: t.seatId, amount: t.amount, status: t.status, reason, charges: open, refundTotal };
  const who = `payment ${t.paymentTxId} (user ${t.userId}, seat ${t.seatId}, amount ${t.amount})`;
  if (t.status !== 'SUCCESS' || t.cancelRequested) {
    const why = t.status !== 'SUCCESS' ? `${who} is ${t.status}, not SUCCESS` : `a cancel of ${who} is already recorded; the saga refunds and releases it`;
    return { title: `cancel ${who}: ${why}`, steps: [], data };
  }
  const money = open.length
    ? `refunds ${open.map((c) => `charge ${c.chargeId} (${c.left})`).join(', ')} through the service's refund path (one key per charge)`
    : 'finds no charge left to refund at the gateway';
  const notes = [`the customer is not asked: use this only when they cannot cancel themselves (POST /payments/${t.paymentTxId}/cancel with the hold secret)`];
  if (!t.holdHasSecret) notes.unshift(`hold ${t.holdId} was made before hold secrets existed, so the customer cannot cancel it through the API`);
  return {
    title: `cancel ${who} on the customer's behalf, refunding ${refundTotal}`,
    steps: [
      `record PaymentCancelRequested (by ticketctl payments cancel, reason "${reason}") in the event store and its payment.cancel outbox row, under the payment's row lock and only while it is SUCCESS`,
      `the saga (any service instance) ${money}, marks the payment CANCELLED and puts seat ${t.seatId} back on sale`,
    ],
    data,
    notes,
    // A refund moves money back to the customer: there is no undo, only a new payment.
    rollback: undefined,
  };
}
