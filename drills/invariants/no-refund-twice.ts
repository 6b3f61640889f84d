import { chargesWithRefunds } from './gateway-ledger.ts';
import { fail, pass, type Invariant } from './types.ts';

// The service refunds a charge once, by its own records (a compensation, a cancellation
// and the reconciler must not each refund it). The gateway may accept several refunds per
// charge (partial refunds), so the ledger itself no longer fences this: broken when a
// charge of the run has more than one refund row, or refunds summing beyond its amount.

export const noRefundTwice: Invariant = {
  name: 'no-refund-twice',
  phase: 'after-recovery',
  promise: "no charge refunded twice or beyond its amount (the gateway's ledger: gateway_refunds per charge)",
  async check({ gatewayDb }, { accepted }) {
    if (accepted.length === 0) return pass('no payment was accepted');
    const charges = await chargesWithRefunds(gatewayDb, accepted);
    const bad = charges.filter((c) => c.refunds > 1 || c.refunded_amount > c.amount).map((c) => ({ problem: c.refunded_amount > c.amount ? 'refunded beyond its amount' : 'refunded more than once', ...c }));
    if (bad.length) return fail(`${bad.length} charge(s) refunded more than once`, bad);
    return pass(`${charges.filter((c) => c.refunds > 0).length} of ${charges.length} charges refunded, each once`);
  },
};
