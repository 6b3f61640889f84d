import { GatewayError, type GatewayClient } from '../gateway/client.ts';
import type { ChargeGateway } from './saga.ts';

/** The saga's view of the gateway: a card decline is an answer (DECLINED), not an error. */
export function chargeGatewayFrom(client: GatewayClient): ChargeGateway {
  return {
    async charge(req) {
      try {
        const c = await client.charge(req);
        return { id: c.id, status: c.status, refunded: false };
      } catch (err) {
        if (err instanceof GatewayError && err.code === 'CARD_DECLINED') return { id: err.charge?.id ?? 0, status: 'DECLINED', refunded: false };
        throw err;
      }
    },
    async chargesFor(paymentTxId) {
      return (await client.getCharges(paymentTxId)).map((c) => ({ id: c.id, status: c.status, refunded: Boolean(c.refund) }));
    },
    async refund(req) {
      const r = await client.refund({ idempotencyKey: req.idempotencyKey, chargeId: req.chargeId, reason: 'saga' });
      return { id: r.id };
    },
  };
}
