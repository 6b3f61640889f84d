import { errorMessage } from '../../lib/index.ts';
import type { Db } from '../db/connection.ts';
import { claimRefund, markRefunded, noteRefundFailed, type RefundReason } from '../store/index.ts';
import { createCircuitBreaker, type CircuitBreaker } from './breaker.ts';
import { isGatewayFailure, unrefunded, type ChargeGateway, type GatewayCharge } from './charge-gateway.ts';
import { chargeGatewayFrom } from './gateway-adapter.ts';
import type { GatewayClient } from '../gateway/client.ts';

// The one refund path (issue #10): compensation, cancellation, reconciliation and
// `ticketctl payments refund-duplicates` all refund through here.
//   1. the refund is recorded in the service's database first (payment_refunds, one row per
//      charge: store/refunds.ts), so the charge has exactly one idempotency key;
//   2. the gateway is called with that key, through the circuit breaker;
//   3. the record is marked REFUNDED. A call that fails or times out leaves it REQUESTED,
//      and the reconciler drives it later with the same key.
// A processor that would accept a second refund of a charge never sees a second key for it.

export type RefundResult = { chargeId: number; outcome: 'refunded'; refundId: number | null; earlier: boolean } | { chargeId: number; outcome: 'failed'; error: string; retriable: boolean };

export interface Refunder {
  /**
   * Refunds what the gateway still holds of `charge`. Database errors throw (the caller's
   * unit of work is redone); a gateway failure is an answer, the refund left REQUESTED.
   * With `recordEvent`, completing it appends PaymentRefunded (for refunds outside a settlement).
   */
  refund(charge: Pick<GatewayCharge, 'id' | 'paymentTxId' | 'amount' | 'refundedAmount' | 'status'>, reason: RefundReason, by: string, recordEvent?: boolean): Promise<RefundResult>;
  /**
   * Every charge of the payment the gateway still holds, refunded: the charges refunded now
   * (those an earlier delivery refunded included, so a settlement's record still names them),
   * and whether any is left to the reconciler (a refund failed, or the charges could not be listed).
   */
  refundAll(paymentTxId: string, reason: RefundReason, by: string): Promise<{ refunded: number[]; leftToReconcile: boolean }>;
}

export interface RefunderDeps {
  db: Db;
  gateway: ChargeGateway;
  breaker: CircuitBreaker;
  onRefunded?: (reason: RefundReason) => void;
  onError?: (err: unknown, where: string) => void;
}

/** The processor already holds refunds for the whole charge (made under another key, e.g. by an operator at the processor). */
const alreadyFullyRefunded = (err: unknown) => (err as { code?: string } | null)?.code === 'CHARGE_ALREADY_REFUNDED';

export function createRefunder({ db, gateway, breaker, onRefunded, onError }: RefunderDeps): Refunder {
  /**
   * After a refund call timed out: the processor may have made the refund and lost only the
   * answer. Its charge list (a read, safe to repeat) tells; if it holds the charge refunded,
   * the refund is done and recorded now instead of at the reconciler's next pass.
   */
  async function heldRefunded(err: unknown, charge: Pick<GatewayCharge, 'id' | 'paymentTxId'>): Promise<boolean> {
    if ((err as { code?: string } | null)?.code !== 'GATEWAY_TIMEOUT') return false;
    try {
      const now = (await breaker.execute(() => gateway.chargesFor(charge.paymentTxId), isGatewayFailure)).find((c) => c.id === charge.id);
      return now !== undefined && unrefunded(now) === 0;
    } catch {
      return false;
    }
  }

  async function refund(charge: Parameters<Refunder['refund']>[0], reason: RefundReason, by: string, recordEvent = false): Promise<RefundResult> {
    const record = await claimRefund(db, { chargeId: charge.id, paymentTxId: charge.paymentTxId, amount: unrefunded(charge as GatewayCharge), reason, by });
    if (record.status === 'REFUNDED') return { chargeId: charge.id, outcome: 'refunded', refundId: record.gatewayRefundId, earlier: true };
    const event = recordEvent ? { paymentTxId: charge.paymentTxId, reason: record.reason } : undefined;
    let refundId: number | null;
    try {
      refundId = (await breaker.execute(() => gateway.refund({ idempotencyKey: record.idempotencyKey, chargeId: charge.id, amount: record.amount, reason: record.reason }), isGatewayFailure)).id;
    } catch (err) {
      if (!alreadyFullyRefunded(err) && !(await heldRefunded(err, charge))) {
        await noteRefundFailed(db, charge.id, errorMessage(err));
        return { chargeId: charge.id, outcome: 'failed', error: errorMessage(err), retriable: (err as { code?: string }).code === 'CIRCUIT_OPEN' || isGatewayFailure(err) };
      }
      refundId = null;
    }
    if (await markRefunded(db, charge.id, refundId, event)) onRefunded?.(record.reason);
    return { chargeId: charge.id, outcome: 'refunded', refundId, earlier: false };
  }

  return {
    refund,
    async refundAll(paymentTxId, reason, by) {
      let charges: GatewayCharge[];
      try {
        charges = await breaker.execute(() => gateway.chargesFor(paymentTxId), isGatewayFailure);
      } catch (err) {
        onError?.(err, `list the charges of ${paymentTxId}`);
        return { refunded: [], leftToReconcile: true };
      }
      const results: RefundResult[] = [];
      for (const c of charges) {
        if (c.status !== 'CHARGED') continue;
        // Refunded in full already (by an earlier delivery whose record of it was lost): named, not refunded again.
        if (unrefunded(c) === 0) results.push({ chargeId: c.id, outcome: 'refunded', refundId: null, earlier: true });
        else results.push(await refund(c, reason, by));
      }
      return { refunded: results.filter((r) => r.outcome === 'refunded').map((r) => r.chargeId), leftToReconcile: results.some((r) => r.outcome === 'failed') };
    },
  };
}

/** The refund path for a process outside the service (ticketctl): the same records and keys, its own breaker. */
export function refunderFor(db: Db, client: GatewayClient): Refunder {
  return createRefunder({ db, gateway: chargeGatewayFrom(client), breaker: createCircuitBreaker({ name: 'payment-gateway' }) });
}
