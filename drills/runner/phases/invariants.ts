import { checkInvariant, INVARIANTS } from '../../invariants/index.ts';
import type { Invariant } from '../../invariants/types.ts';
import type { DrillRun } from '../drill-run.ts';

// The drill's invariants of one phase (`before-heal` from observe, `after-recovery` at the
// end), in the drill file's order, each into the journal and told to the operator. An
// invariant that cannot reach its system of record is "unknown", not a throw.

export async function checkInvariants(run: DrillRun, phase: Invariant['phase']): Promise<void> {
  for (const name of run.drill.invariants.filter((n) => INVARIANTS[n].phase === phase)) {
    const r = await checkInvariant(name, run.env.invariantEnv(run.signal), run.scope);
    run.journal.invariants.push(r);
    run.opts.say(`  ${r.status === 'pass' ? 'ok  ' : r.status.toUpperCase()} invariant ${name}: ${r.summary}`);
  }
}
