import type { RowDataPacket } from 'mysql2/promise';
import { fail, pass, type Invariant } from './types.ts';

// Every accepted payment reaches a final state within the drill's bound after the fault
// is healed (the runner waits up to recovery.drainWithinMs before checking), and none is
// lost: a 202 with no row would be a payment the service forgot.

export const paymentsFinal: Invariant = {
  name: 'payments-final',
  phase: 'after-recovery',
  promise: 'every accepted payment is final (not PENDING) within the bound after heal, none lost (MariaDB payment_transactions)',
  async check({ db }, { accepted, drill }) {
    if (accepted.length === 0) return pass('no payment was accepted');
    const [rows] = await db.query<RowDataPacket[]>('SELECT payment_tx_id, status, attempts, failure_reason, updated_at FROM payment_transactions WHERE payment_tx_id IN (?)', [accepted]);
    const found = new Set(rows.map((r) => r.payment_tx_id as string));
    const lost = accepted.filter((id) => !found.has(id)).map((id) => ({ problem: 'accepted (202) but no row', payment_tx_id: id }));
    const pending = rows.filter((r) => r.status === 'PENDING').map((r) => ({ problem: `still PENDING ${Math.round(drill.recovery.drainWithinMs / 1000)} s after heal`, ...r }));
    if (lost.length || pending.length) return fail(`${lost.length} lost, ${pending.length} still PENDING of ${accepted.length} accepted`, [...lost, ...pending]);
    const counts = Object.entries(Object.groupBy(rows, (r) => r.status as string))
      .map(([s, rs]) => `${rs!.length} ${s}`)
      .join(', ');
    return pass(`${accepted.length} accepted payments all final: ${counts}`);
  },
};
