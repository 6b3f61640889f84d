import { randomUUID } from 'node:crypto';
import { errorMessage } from '../../lib/index.ts';
import type { Drill } from '../format/types.ts';
import { verdictOf, type DrillJournal } from '../report/journal.ts';
import { recoveryTimes } from '../timing.ts';
import { startRun, type DrillRun, type RunOptions } from './drill-run.ts';
import type { DrillEnv } from './env.ts';
import { summarizeLoad } from './load-summary.ts';
import { detect } from './phases/detect.ts';
import { inject } from './phases/inject.ts';
import { checkInvariants } from './phases/invariants.ts';
import { mitigate } from './phases/mitigate.ts';
import { observe, settleLoad } from './phases/observe.ts';
import { drain, recover } from './phases/recover.ts';
import { rollback } from './phases/rollback.ts';
import { steadyStateBefore } from './phases/steady-state.ts';

// One drill, start to end, in the shape of a chaostoolkit experiment: the steady-state
// hypothesis, the method (inject, detect, mitigate, observe), the rollbacks, and a
// journal instead of exceptions. Each phase is a module of drills/runner/phases/; a phase
// that cannot go on throws, and the journal's `error` says why:
//   1. steady state: fresh seats; the hypothesis must hold, else nothing is injected
//   2. inject: the seeded load, then each fault (fault log line first, apply, confirm)
//   3. detect: a detect probe must fail (time to detect), else the drill does not count
//   4. mitigate: the runbook's steps while the fault is on; the probes pass again
//   5. observe: the load done, the fault on for observeMs; before-heal invariants
//   6. ROLLBACK, always (success, violation, error, Ctrl-C): every injected fault reverted
//   7. recover, drain: afterHeal runbook steps, steady state regained, backlog drained;
//      then the after-recovery invariants (only when the fault really ran)
// It returns the journal; only Ctrl-C is rethrown, after the rollback, with the journal.

export type { RunOptions } from './drill-run.ts';

export async function runDrill(env: DrillEnv, drill: Drill, o: RunOptions): Promise<DrillJournal> {
  const run = startRun(env, drill, o);
  try {
    const probes = await steadyStateBefore(run);
    await inject(run);
    await detect(run, probes);
    await mitigate(run, probes);
    await observe(run);
  } catch (err) {
    run.fail(err);
  } finally {
    await rollback(run); // no signal: Ctrl-C must not stop the undo
  }
  await settleLoad(run);
  if (!run.journal.error && !run.aborted) {
    try {
      await recover(run);
      await drain(run);
      await checkInvariants(run, 'after-recovery');
    } catch (err) {
      run.fail(err);
    }
  }
  return finish(run);
}

/** Completes the journal (load counts, times, verdict); on Ctrl-C throws the abort with it. */
function finish(run: DrillRun): DrillJournal {
  const { journal, scope } = run;
  Object.assign(journal.load, summarizeLoad(scope.load), { accepted: scope.accepted.length });
  journal.times = recoveryTimes(journal.timeline);
  journal.durationMs = Date.now() - run.startedAt;
  journal.verdict = verdictOf(journal);
  if (run.aborted) {
    const aborted = run.aborted;
    (journal as DrillJournal & { interrupted?: boolean }).interrupted = true;
    throw Object.assign(aborted instanceof Error ? aborted : new Error(errorMessage(aborted)), { journal });
  }
  return journal;
}

export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:T]/g, '').slice(0, 14)}-${randomUUID().slice(0, 6)}`;
}
