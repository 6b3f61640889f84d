// Consumer lag verdicts in the manner of LinkedIn Burrow's evaluator
// (linkedin/Burrow core/internal/evaluator/caching.go, wiki "Consumer Lag Evaluation
// Rules"). Burrow judges a sliding window of committed offsets per partition, in order:
//   1. lag was zero at some point in the window           -> OK
//   2. the committed offset went backwards               -> REWIND (error)
//   3. no commit for longer than the window spans        -> STOP (error)
//   4. the committed offset never changed while lagging  -> STALL (error)
//   5. offsets advance but the lag never decreases       -> WARN (consumer too slow)
//   otherwise                                            -> OK
// and a group's status is its worst partition's.
//
// Kafka's OffsetFetch does not return when an offset was committed, so rule 3 is judged
// from what the group coordinator does say: no committed offset at all, no live member
// in the group, or a live group that assigned the partition to nobody. `ticketctl
// consumers lag` samples the offsets several times over its window; with one sample
// (`--window 0`) rules 2, 4 and 5 cannot be judged, so a lagging but consumed partition
// is OK there (the reason says so).

export const VERDICTS = ['OK', 'WARN', 'STALL', 'REWIND', 'STOP'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** One look at a partition: the group's committed offset (null: none) and the log's ends. */
export interface OffsetSample {
  atMs: number;
  committed: number | null;
  logStart: number;
  logEnd: number;
}

export interface PartitionEvidence {
  /** Oldest first; at least one. */
  samples: OffsetSample[];
  /** Live members of the group at the last sample. */
  members: number;
  /** Whether a member owns this partition; null when unknown (the group is rebalancing). */
  assigned: boolean | null;
}

export interface PartitionJudgement {
  verdict: Verdict;
  /** Lag at the last sample. */
  lag: number;
  /** Why, in one phrase an operator can act on. */
  reason: string;
}

/** Messages the group has yet to process; without a commit, the whole retained log. */
export function lagOf(s: OffsetSample): number {
  const from = s.committed === null || s.committed < s.logStart ? s.logStart : s.committed;
  return Math.max(0, s.logEnd - from);
}

export function judgePartition(e: PartitionEvidence): PartitionJudgement {
  const { samples } = e;
  if (samples.length === 0) throw new RangeError('judgePartition needs at least one sample');
  const lags = samples.map(lagOf);
  const lag = lags.at(-1)!;
  const committed = samples.map((s) => s.committed);
  const pairs = samples.slice(1).map((s, i) => [samples[i]!, s] as const);

  // Rule 1: caught up at some point in the window.
  if (lags.some((l) => l === 0)) return { verdict: 'OK', lag, reason: lag === 0 ? 'caught up' : `caught up within the window, lag now ${lag}` };
  // Rule 2: the group went back (an offset reset, or a consumer committing stale offsets).
  const back = pairs.find(([a, b]) => a.committed !== null && b.committed !== null && b.committed < a.committed);
  if (back) return { verdict: 'REWIND', lag, reason: `committed offset went back from ${back[0].committed} to ${back[1].committed}` };
  // Rule 3: nobody commits.
  if (committed.every((c) => c === null)) return { verdict: 'STOP', lag, reason: `no committed offset, ${lag} message(s) waiting` };
  if (e.members === 0) return { verdict: 'STOP', lag, reason: `no member in the group, ${lag} message(s) waiting` };
  if (e.assigned === false) return { verdict: 'STOP', lag, reason: `assigned to no member, ${lag} message(s) waiting` };
  if (samples.length < 2) return { verdict: 'OK', lag, reason: `lag ${lag}; one sample cannot show movement (use --window > 0)` };
  // Rule 4: members exist, but the committed offset does not move.
  const first = samples[0]!;
  const last = samples.at(-1)!;
  const spanS = ((last.atMs - first.atMs) / 1000).toFixed(1);
  if (committed.every((c) => c === committed[0])) return { verdict: 'STALL', lag, reason: `committed offset stuck at ${committed[0]} for ${spanS} s with lag ${lag}` };
  // Rule 5: moving, but not catching up.
  if (pairs.every(([a, b]) => lagOf(b) >= lagOf(a))) return { verdict: 'WARN', lag, reason: `lag did not decrease over ${spanS} s (${lags[0]} -> ${lag}): consumers too slow` };
  return { verdict: 'OK', lag, reason: `catching up (${lags[0]} -> ${lag})` };
}

/** A group's verdict: its worst partition's (OK for a group with nothing to judge). */
export function worstVerdict(verdicts: Verdict[]): Verdict {
  return verdicts.reduce<Verdict>((worst, v) => (VERDICTS.indexOf(v) > VERDICTS.indexOf(worst) ? v : worst), 'OK');
}
