import { delay } from '../../../lib/index.ts';
import { acceptedPayments } from '../../load/run.ts';
import type { DrillRun } from '../drill-run.ts';
import { checkInvariants } from './invariants.ts';

// Phase 5: the load finishes and the fault stays on until observeMs after injection;
// then the `before-heal` invariants, which must hold while the fault is still on (e.g.
// `pending-while-faulted`).

export async function observe(run: DrillRun): Promise<void> {
  const { drill, scope } = run;
  if (run.loadRun) scope.load = await run.loadRun;
  scope.accepted = acceptedPayments(scope.load);
  const remaining = (run.journal.timeline.injectedAt ?? Date.now()) + drill.observeMs - Date.now();
  if (remaining > 0) await delay(remaining, run.signal);
  await checkInvariants(run, 'before-heal');
}

/** The load's answers, also when a phase before observe stopped the run (its load may still have run). */
export async function settleLoad(run: DrillRun): Promise<void> {
  const { scope } = run;
  if (run.loadRun && scope.load.length === 0) scope.load = await run.loadRun.catch(() => []);
  scope.accepted = acceptedPayments(scope.load);
}
