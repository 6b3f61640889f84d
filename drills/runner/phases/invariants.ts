import { delay } from '../../../lib/index.ts';
import { checkInvariant, INVARIANTS } from '../../invariants/index.ts';
import type { Invariant, InvariantResult } from '../../invariants/types.ts';
import type { DrillRun } from '../drill-run.ts';

// The drill's invariants of one phase (`before-heal` from observe, `after-recovery` at the
// end), in the drill file's order, each into the journal and told to the operator. An
// invariant that cannot reach its system of record is "unknown", not a throw.
//
// After recovery, a drill with `recovery.settleWithinMs` gives asynchronous compensation
// (a reconciler refunding charges the service gave up on) time to land: an invariant that
// does not pass is checked again every 2 s until it passes or the bound, counted from the
// first check, runs out; the last result is the verdict. 0 (the default) checks once.

const RECHECK_EVERY_MS = 2000;

export async function checkInvariants(run: DrillRun, phase: Invariant['phase']): Promise<void> {
  const settleUntil = Date.now() + (phase === 'after-recovery' ? run.drill.recovery.settleWithinMs : 0);
  for (const name of run.drill.invariants.filter((n) => INVARIANTS[n].phase === phase)) {
    const check = () => checkInvariant(name, run.env.invariantEnv(run.signal), run.scope);
    const t0 = Date.now();
    let r: InvariantResult = await check();
    while (r.status !== 'pass' && Date.now() + RECHECK_EVERY_MS < settleUntil) {
      await delay(RECHECK_EVERY_MS, run.signal);
      r = await check();
    }
    if (Date.now() - t0 > RECHECK_EVERY_MS) r = { ...r, summary: `${r.summary} (after ${((Date.now() - t0) / 1000).toFixed(1)} s of settling)` };
    run.journal.invariants.push(r);
    run.opts.say(`  ${r.status === 'pass' ? 'ok  ' : r.status.toUpperCase()} invariant ${name}: ${r.summary}`);
  }
}
