import type { Pool } from 'mysql2/promise';
import { revivePayment } from '../../../service/index.ts';
import type { ReprocessItem } from './reprocess-plan.ts';

// Revives one failed payment through the service's store (move revive of
// service/store/state-machine.ts): in one transaction, under row locks and only from the
// states the plan saw, the hold and seat taken back, the payment reset to PENDING, the
// event-store record and the payment.try outbox row (the service's relays publish it). If
// anything moved meanwhile the whole revival rolls back and the payment is reported skipped.

export async function revive(pool: Pool, r: ReprocessItem): Promise<{ revived: true } | { revived: false; reason: string }> {
  const result = await revivePayment({ pool, acquireTimeoutMs: 5000 }, { ...r, by: 'ticketctl events reprocess' });
  // The store checks every count (hold, seat and payment: a miss rolls back and skips).
  return result.revived ? { revived: true } : { revived: false, reason: result.reason };
}
