import type { InvariantName } from '../format/types.ts';
import { chargesRefunded } from './charges-refunded.ts';
import { dlqAccounted } from './dlq-accounted.ts';
import { noDoubleCharge } from './no-double-charge.ts';
import { noDoubleSale } from './no-double-sale.ts';
import { noOrphanLocks } from './no-orphan-locks.ts';
import { noRefundTwice } from './no-refund-twice.ts';
import { noPhantomHolds } from './no-phantom-holds.ts';
import { paymentsFinal } from './payments-final.ts';
import { pendingWhileFaulted } from './pending-while-faulted.ts';
import { pollsAnswered } from './polls-answered.ts';
import { responsesBounded } from './responses-bounded.ts';
import { retriesBounded } from './retries-bounded.ts';
import { successOwnsSeat } from './success-owns-seat.ts';
import type { Invariant, InvariantEnv, InvariantResult, RunScope } from './types.ts';

// Every invariant a drill file may name. Adding one: a module with an Invariant, one line
// here, and its name in drills/format/types.ts INVARIANT_NAMES.

export const INVARIANTS: Record<InvariantName, Invariant> = {
  'no-double-sale': noDoubleSale,
  'no-double-charge': noDoubleCharge,
  'payments-final': paymentsFinal,
  'charges-refunded': chargesRefunded,
  'no-orphan-locks': noOrphanLocks,
  'dlq-accounted': dlqAccounted,
  'responses-bounded': responsesBounded,
  'retries-bounded': retriesBounded,
  'pending-while-faulted': pendingWhileFaulted,
  'no-phantom-holds': noPhantomHolds,
  'no-refund-twice': noRefundTwice,
  'success-owns-seat': successOwnsSeat,
  'polls-answered': pollsAnswered,
};

/** Checks one invariant; a check that cannot reach its system of record is "unknown", not a failure. */
export async function checkInvariant(name: InvariantName, env: InvariantEnv, scope: RunScope): Promise<InvariantResult> {
  const t0 = Date.now();
  try {
    return { name, ...(await INVARIANTS[name].check(env, scope)), ms: Date.now() - t0 };
  } catch (err) {
    if (env.signal?.aborted) throw err;
    return { name, status: 'unknown', summary: `could not check: ${(err as Error).message}`, offending: [], ms: Date.now() - t0 };
  }
}
