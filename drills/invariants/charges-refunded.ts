import type { RowDataPacket } from 'mysql2/promise';
import { fail, pass, type Invariant } from './types.ts';

// Report 2.2.2 compensation: every charge of a payment that ended FAILED, CANCELLED or
// REFUNDED has its refund in the gateway's ledger (a charge made by a call that timed
// out included). And a SUCCESS payment keeps exactly one unrefunded charge.

export const chargesRefunded: Invariant = {
  name: 'charges-refunded',
  phase: 'after-recovery',
  promise: 'every charge of a failed or cancelled payment is refunded; a successful one is charged (gateway ledger vs payment_transactions)',
  async check({ db, gatewayDb }, { accepted }) {
    if (accepted.length === 0) return pass('no payment was accepted');
    const [payments] = await db.query<RowDataPacket[]>('SELECT payment_tx_id, status FROM payment_transactions WHERE payment_tx_id IN (?)', [accepted]);
    const [charges] = await gatewayDb.query<RowDataPacket[]>(
      "SELECT c.id AS charge_id, c.payment_tx_id, c.amount, r.id AS refund_id FROM gateway_charges c LEFT JOIN gateway_refunds r ON r.charge_id = c.id WHERE c.payment_tx_id IN (?) AND c.status = 'CHARGED'",
      [accepted],
    );
    const chargesOf = Map.groupBy(charges, (c) => c.payment_tx_id as string);
    const bad: unknown[] = [];
    let refunded = 0;
    for (const p of payments) {
      const cs = chargesOf.get(p.payment_tx_id) ?? [];
      if (['FAILED', 'CANCELLED', 'REFUNDED'].includes(p.status)) {
        for (const c of cs) {
          if (c.refund_id === null) bad.push({ problem: `charge of a ${p.status} payment not refunded`, ...c });
          else refunded++;
        }
      } else if (p.status === 'SUCCESS' && cs.filter((c) => c.refund_id === null).length !== 1) {
        bad.push({ problem: 'SUCCESS payment without exactly one live charge', payment_tx_id: p.payment_tx_id, charges: cs });
      }
    }
    if (bad.length) return fail(`${bad.length} charge(s) not compensated`, bad);
    return pass(`${refunded} charge(s) of failed/cancelled payments refunded; every SUCCESS has one live charge`);
  },
};
