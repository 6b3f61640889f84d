import type { DrillRun } from '../drill-run.ts';
import { drained, steadyState, until } from '../observations.ts';
import { takeRunbookStep } from '../runbook-steps.ts';

// Phase 7, after rollback, for a drill whose faults really ran: the runbook steps of
// `afterHeal` as real `ticketctl` commands (e.g. `kafka elect-leaders --yes`), then the
// steady-state hypothesis must hold again within recovery.steadyWithinMs (time to
// recover); then the backlog must drain within recovery.drainWithinMs: the run's
// payments all final, their outbox rows published, lag under the threshold (time to drain).

export async function recover(run: DrillRun): Promise<void> {
  const { env, drill, journal } = run;
  for (const argv of drill.afterHeal) await takeRunbookStep(run, argv, 'runbook', 'runbook step');
  const since = Date.now();
  const steady = await until(() => steadyState(env, drill, run.scope.concertId), drill.recovery.steadyWithinMs, run.signal);
  journal.timeline.steadyAt = steady.at;
  run.check('steady state regained after heal', steady.ok, steady.detail, since);
}

export async function drain(run: DrillRun): Promise<void> {
  const { env, drill, journal } = run;
  const since = Date.now();
  const done = await until(() => drained(env, drill, run.scope.accepted), drill.recovery.drainWithinMs, run.signal);
  journal.timeline.drainedAt = done.at;
  run.check('backlog drained after heal', done.ok, done.detail, since);
}
