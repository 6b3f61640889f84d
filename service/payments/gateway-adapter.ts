import { GatewayError, type GatewayClient } from '../gateway/client.ts';
import type { ChargeGateway, GatewayCharge } from './charge-gateway.ts';

type ListedCharge = Awaited<ReturnType<GatewayClient['getCharges']>>[number];

const toCharge = (c: ListedCharge): GatewayCharge => ({
  id: c.id,
  paymentTxId: c.paymentTxId,
  status: c.status,
  amount: c.amount,
  refundedAmount: c.refundedAmount,
  createdAt: c.createdAt,
});

/** The service's view of the gateway: a card decline is an answer (DECLINED), not an error. */
export function chargeGatewayFrom(client: GatewayClient): ChargeGateway {
  return {
    async charge(req) {
      try {
        const c = await client.charge(req);
        return { id: c.id, status: c.status };
      } catch (err) {
        if (err instanceof GatewayError && err.code === 'CARD_DECLINED') return { id: err.charge?.id ?? 0, status: 'DECLINED' };
        throw err;
      }
    },
    async chargesFor(paymentTxId) {
      return (await client.getCharges(paymentTxId)).map(toCharge);
    },
    async refund(req) {
      const r = await client.refund({ idempotencyKey: req.idempotencyKey, chargeId: req.chargeId, amount: req.amount, reason: req.reason });
      return { id: r.id };
    },
    async listCharges(q) {
      const page = await client.listCharges(q);
      return { data: page.data.map(toCharge), hasMore: page.hasMore, nextCursor: page.nextCursor };
    },
  };
}
