import { unrefunded, type GatewayCharge } from '../payments/charge-gateway.ts';
import type { PaymentOfCharge } from '../store/reconciliation.ts';

// What the reconciler does with one charge the gateway lists, from the charge and the
// service's payment for it (read after the charge was listed). The rule: money stays
// charged only for a SUCCESS payment, and only its own charge (gateway_charge_id).

export type ChargeVerdict =
  /** Nothing is held (declined, or refunded in full), the charge is the SUCCESS payment's own, or it names no payment of the service (an orphan: the operator's call). */
  | { action: 'none' }
  /** The payment is still PENDING (its deadline bounds this). */
  | { action: 'wait'; why: string }
  | { action: 'refund'; why: RefundWhy; detail: string };

export type RefundWhy = 'not-success' | 'extra-charge';

export function decideCharge(c: GatewayCharge, p: PaymentOfCharge | undefined): ChargeVerdict {
  if (unrefunded(c) === 0) return { action: 'none' };
  // A charge naming no payment of the service is not known to be ours (a processor account
  // may serve other clients, an operator may charge by hand): `ticketctl payments duplicates`
  // lists it as an orphan and `refund-duplicates --include-orphans` refunds it on request.
  // Intake commits the payment before anything charges it, so it is never one in flight.
  if (!p) return { action: 'none' };
  if (p.status === 'PENDING') return { action: 'wait', why: `payment ${p.paymentTxId} is PENDING` };
  if (p.status === 'SUCCESS') {
    if (p.gatewayChargeId === c.id) return { action: 'none' };
    return { action: 'refund', why: 'extra-charge', detail: `payment ${p.paymentTxId} succeeded with charge ${p.gatewayChargeId ?? 'none'}, not this one` };
  }
  return { action: 'refund', why: 'not-success', detail: `payment ${p.paymentTxId} is ${p.status}` };
}
