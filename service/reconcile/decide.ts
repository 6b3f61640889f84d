import { unrefunded, type GatewayCharge } from '../payments/charge-gateway.ts';
import type { PaymentOfCharge } from '../store/reconciliation.ts';

// What the reconciler does with one charge the gateway lists, from the charge and the
// service's payment for it (read after the charge was listed). The rule: money stays
// charged only for a SUCCESS payment, and only its own charge (gateway_charge_id).

export type ChargeVerdict =
  /** Nothing is held (declined, or refunded in full) or the charge is the SUCCESS payment's own. */
  | { action: 'none' }
  /** The payment is still PENDING (its deadline bounds this), or a charge with no payment is younger than the grace. */
  | { action: 'wait'; why: string }
  | { action: 'refund'; why: RefundWhy; detail: string };

export type RefundWhy = 'not-success' | 'extra-charge' | 'no-payment';

export function decideCharge(c: GatewayCharge, p: PaymentOfCharge | undefined, now: number, orphanGraceMs: number): ChargeVerdict {
  if (unrefunded(c) === 0) return { action: 'none' };
  if (!p) {
    // Intake commits the payment before anything charges it, so a charge naming no payment is
    // not one in flight; the grace only spares another client of the same processor account.
    if (now - Date.parse(c.createdAt) < orphanGraceMs) return { action: 'wait', why: 'no payment of the service names it yet' };
    return { action: 'refund', why: 'no-payment', detail: `no payment ${c.paymentTxId} in the service` };
  }
  if (p.status === 'PENDING') return { action: 'wait', why: `payment ${p.paymentTxId} is PENDING` };
  if (p.status === 'SUCCESS') {
    if (p.gatewayChargeId === c.id) return { action: 'none' };
    return { action: 'refund', why: 'extra-charge', detail: `payment ${p.paymentTxId} succeeded with charge ${p.gatewayChargeId ?? 'none'}, not this one` };
  }
  return { action: 'refund', why: 'not-success', detail: `payment ${p.paymentTxId} is ${p.status}` };
}
