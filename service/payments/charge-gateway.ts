// What the payment saga, the refund path and the reconciler need from the card processor
// (service/payments/gateway-adapter.ts adapts the stand-in's HTTP client to it). A card
// decline is an answer (DECLINED), not an error; every other failure throws, and its
// `retriable` says whether the same call may succeed later.

export interface GatewayCharge {
  id: number;
  paymentTxId: string;
  status: 'CHARGED' | 'DECLINED';
  amount: number;
  /** Sum of the refunds the processor holds for this charge. */
  refundedAmount: number;
  createdAt: string;
}

export interface ChargePage {
  data: GatewayCharge[];
  hasMore: boolean;
  nextCursor: string | null;
}

export interface ChargeGateway {
  charge(req: { idempotencyKey: string; paymentTxId: string; amount: number }): Promise<Pick<GatewayCharge, 'id' | 'status'>>;
  chargesFor(paymentTxId: string): Promise<GatewayCharge[]>;
  refund(req: { idempotencyKey: string; chargeId: number; amount: number; reason: string }): Promise<{ id: number }>;
  /** Charges created at or after createdFrom, oldest first, a page at a time (the cursor continues after the last one). */
  listCharges(q: { createdFrom: Date; cursor?: string; limit: number }): Promise<ChargePage>;
}

/** Money the processor still holds for this charge. */
export const unrefunded = (c: GatewayCharge): number => (c.status === 'CHARGED' ? Math.max(0, c.amount - c.refundedAmount) : 0);

/** A gateway error the breaker should count: outages and timeouts, not a card decline or a refusal. */
export function isGatewayFailure(err: unknown): boolean {
  return (err as { retriable?: boolean } | null)?.retriable === true;
}
