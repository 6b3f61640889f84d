import { errorMessage } from '../../lib/index.ts';
import type { InjectRecord } from '../fault-log.ts';
import { blastRadius } from '../faults/index.ts';
import type { FaultEnv } from '../faults/types.ts';
import type { Drill } from '../format/types.ts';
import type { RunScope } from '../invariants/types.ts';
import type { OpResult } from '../load/run.ts';
import type { DrillJournal } from '../report/journal.ts';
import { emptyTimeline, recoveryTimes } from '../timing.ts';
import type { DrillEnv } from './env.ts';

// What the phases of one drill run share (drills/runner/phases/): the journal they fill
// in (checks, faults, invariants, timeline), the scope the invariants look at, the faults
// injected so far (rollback reverts exactly these), and the load in flight. A phase that
// cannot go on throws; run-drill.ts turns that into the journal's `error`.

export interface RunOptions {
  seed: number;
  runId: string;
  faultLog: string;
  signal?: AbortSignal;
  /** Progress lines for the operator. */
  say: (line: string) => void;
}

/** The drill could not be made to count (stack not steady, a bad load.instances): verdict "error". */
export class HarnessError extends Error {}

export interface DrillRun {
  env: DrillEnv;
  drill: Drill;
  opts: RunOptions;
  signal: AbortSignal | undefined;
  startedAt: number;
  journal: DrillJournal;
  scope: RunScope;
  faultEnv: FaultEnv;
  /** Fault log lines of the faults injected so far, in order. */
  injected: InjectRecord[];
  /** The load, started before the faults; awaited by observe, or after rollback. */
  loadRun: Promise<OpResult[]> | undefined;
  /** The error that came with Ctrl-C: rethrown, with the journal, once rollback ran. */
  aborted: unknown;
  /** Records a check in the journal and tells the operator. */
  check(name: string, ok: boolean, detail: string, since: number): void;
  /** Records why the run stopped as the journal's error (and the Ctrl-C to rethrow). */
  fail(err: unknown): void;
}

export function startRun(env: DrillEnv, drill: Drill, opts: RunOptions): DrillRun {
  const t0 = Date.now();
  const timeline = emptyTimeline();
  const journal: DrillJournal = {
    drill: drill.name,
    title: drill.title,
    report: drill.report,
    runId: opts.runId,
    seed: opts.seed,
    verdict: 'error',
    error: null,
    startedAt: new Date(t0).toISOString(),
    durationMs: 0,
    blastRadius: blastRadius(drill.faults),
    concertId: null,
    faults: [],
    checks: [],
    invariants: [],
    timeline,
    times: recoveryTimes(timeline),
    load: { planned: 0, holds: {}, payments: {}, accepted: 0, latency: {} },
  };
  const run: DrillRun = {
    env,
    drill,
    opts,
    signal: opts.signal,
    startedAt: t0,
    journal,
    scope: { runId: opts.runId, drill, concertId: 0, seatIds: [], load: [], accepted: [], poisonKeys: [], dlqStart: [] },
    faultEnv: env.faultEnv(opts.runId),
    injected: [],
    loadRun: undefined,
    aborted: undefined,
    check(name, ok, detail, since) {
      journal.checks.push({ name, ok, detail, ms: Date.now() - since });
      opts.say(`  ${ok ? 'ok  ' : 'FAIL'} ${name}: ${detail}`);
    },
    fail(err) {
      if (opts.signal?.aborted) run.aborted = err;
      journal.error = errorMessage(err);
    },
  };
  return run;
}
