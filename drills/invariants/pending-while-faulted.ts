import type { RowDataPacket } from 'mysql2/promise';
import { fail, pass, type Invariant } from './types.ts';

// Report 2.1.1: with Kafka unreachable, payments are still accepted and stay PENDING (the
// outbox holds their events). Checked just before the fault is removed.

export const pendingWhileFaulted: Invariant = {
  name: 'pending-while-faulted',
  phase: 'before-heal',
  promise: 'payments keep being accepted during the fault and stay PENDING with their event in the outbox',
  async check({ db }, { accepted }) {
    if (accepted.length === 0) return fail('no payment was accepted during the fault', []);
    const [rows] = await db.query<RowDataPacket[]>(
      'SELECT p.payment_tx_id, p.status, (SELECT COUNT(*) FROM outbox o WHERE o.message_key = p.payment_tx_id AND o.published_at IS NULL) AS unpublished FROM payment_transactions p WHERE p.payment_tx_id IN (?)',
      [accepted],
    );
    const bad = rows.filter((r) => r.status !== 'PENDING' || Number(r.unpublished) === 0);
    if (bad.length || rows.length !== accepted.length)
      return fail(`${bad.length} of ${accepted.length} accepted payments not PENDING with an unpublished event (${accepted.length - rows.length} without a row)`, bad);
    return pass(`${accepted.length} payments accepted during the fault, all PENDING with their event waiting in the outbox`);
  },
};
