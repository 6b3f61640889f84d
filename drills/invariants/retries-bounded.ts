import type { RowDataPacket } from 'mysql2/promise';
import { fail, pass, type Invariant } from './types.ts';

// Report 2.2.2 retry storm: attempts per payment stay within 1 + MAX_RETRY_COUNT
// (recovery.maxAttempts in the drill), whatever the gateway does.

export const retriesBounded: Invariant = {
  name: 'retries-bounded',
  phase: 'after-recovery',
  promise: 'no payment made more gateway attempts than allowed (payment_transactions.attempts)',
  async check({ db }, { accepted, drill }) {
    if (accepted.length === 0) return pass('no payment was accepted');
    const max = drill.recovery.maxAttempts;
    const [rows] = await db.query<RowDataPacket[]>('SELECT payment_tx_id, status, attempts FROM payment_transactions WHERE payment_tx_id IN (?)', [accepted]);
    const over = rows.filter((r) => Number(r.attempts) > max);
    if (over.length) return fail(`${over.length} payment(s) over ${max} attempts`, over);
    return pass(`at most ${Math.max(0, ...rows.map((r) => Number(r.attempts)))} attempts per payment (bound ${max})`);
  },
};
