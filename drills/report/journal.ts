import type { BlastRadius } from '../faults/types.ts';
import type { InvariantResult } from '../invariants/types.ts';
import type { RecoveryTimes, Timeline } from '../timing.ts';

// The journal of one drill run (chaostoolkit's idea: a run returns a record instead of
// throwing). Written as `<drill>.json` in the run's report folder; its keys are documented
// in drills/README.md and stay stable.

export type DrillVerdict = 'pass' | 'fail' | 'error';

/** A probe or step that passed or failed: steady state before/after, detection, drain, runbook steps. */
export interface CheckRecord {
  name: string;
  ok: boolean;
  detail: string;
  ms: number;
}

export interface FaultRecord {
  faultId: string;
  description: string;
  appliedAt: string | null;
  confirmed: string | null;
  reverted: string | null;
}

export interface DrillJournal {
  drill: string;
  title: string;
  report: string;
  runId: string;
  seed: number;
  verdict: DrillVerdict;
  /** Why the harness could not finish the drill (verdict "error"), else null. */
  error: string | null;
  startedAt: string;
  durationMs: number;
  blastRadius: BlastRadius;
  concertId: number | null;
  faults: FaultRecord[];
  checks: CheckRecord[];
  invariants: InvariantResult[];
  timeline: Timeline;
  times: RecoveryTimes;
  load: {
    planned: number;
    holds: Record<string, number>;
    payments: Record<string, number>;
    accepted: number;
    /** "hold 201", "payment 503", "hold no-answer"... -> count, median and slowest answer. */
    latency: Record<string, { count: number; p50Ms: number; maxMs: number }>;
  };
}

/**
 * fail: an invariant broke, or the system did not recover (steady state, drain, a runbook
 * step) - the drill's finding. error: the harness could not make the drill count (stack
 * not steady before, fault never took effect, an invariant could not be checked). A
 * violated invariant wins over a harness error: it is the more important news.
 */
export function verdictOf(j: Pick<DrillJournal, 'error' | 'checks' | 'invariants'>): DrillVerdict {
  if (j.invariants.some((i) => i.status === 'fail')) return 'fail';
  if (j.error) return 'error';
  if (j.checks.some((c) => !c.ok)) return 'fail';
  if (j.invariants.some((i) => i.status === 'unknown')) return 'error';
  return 'pass';
}
