import type { RowDataPacket } from 'mysql2/promise';
import { chargesWithRefunds, isLive } from './gateway-ledger.ts';
import { fail, pass, type Invariant } from './types.ts';

// Report 2.2.2 compensation: every charge of a payment that ended FAILED, CANCELLED or
// REFUNDED is refunded in full in the gateway's ledger (its refunds sum to at least its
// amount; a charge made by a call that timed out included). And a SUCCESS payment keeps
// exactly one charge that is not refunded.

export const chargesRefunded: Invariant = {
  name: 'charges-refunded',
  phase: 'after-recovery',
  promise: 'every charge of a failed or cancelled payment is refunded in full; a successful one keeps one live charge (gateway ledger vs payment_transactions)',
  async check({ db, gatewayDb }, { accepted }) {
    if (accepted.length === 0) return pass('no payment was accepted');
    const [payments] = await db.query<RowDataPacket[]>('SELECT payment_tx_id, status FROM payment_transactions WHERE payment_tx_id IN (?)', [accepted]);
    const chargesOf = Map.groupBy(await chargesWithRefunds(gatewayDb, accepted), (c) => c.payment_tx_id);
    const bad: unknown[] = [];
    let refunded = 0;
    for (const p of payments) {
      const cs = chargesOf.get(p.payment_tx_id) ?? [];
      if (['FAILED', 'CANCELLED', 'REFUNDED'].includes(p.status)) {
        for (const c of cs) {
          if (isLive(c)) bad.push({ problem: `charge of a ${p.status} payment not refunded in full`, ...c });
          else refunded++;
        }
      } else if (p.status === 'SUCCESS' && cs.filter(isLive).length !== 1) {
        bad.push({ problem: 'SUCCESS payment without exactly one live charge', payment_tx_id: p.payment_tx_id, charges: cs });
      }
    }
    if (bad.length) return fail(`${bad.length} charge(s) not compensated`, bad);
    return pass(`${refunded} charge(s) of failed/cancelled payments refunded; every SUCCESS has one live charge`);
  },
};
