// Recovery timing of one drill run. The runner stamps each moment as it observes it:
// fault injected -> first failing probe -> (mitigated: the probes pass again after the
// drill's runbook steps, fault still on) -> fault removed -> steady state regained ->
// backlog drained (the run's payments all final, its outbox rows published, consumer lag
// under the threshold). Durations are derived here; a moment never reached stays null.

export interface Timeline {
  injectedAt: number | null;
  detectedAt: number | null;
  detectedBy: string | null;
  mitigatedAt: number | null;
  healedAt: number | null;
  steadyAt: number | null;
  drainedAt: number | null;
}

export interface RecoveryTimes {
  /** injected -> first failing probe. */
  timeToDetectMs: number | null;
  /** first failing probe -> probes pass again after the mitigation steps (fault still on). */
  timeToMitigateMs: number | null;
  /** injected -> removed. */
  faultDurationMs: number | null;
  /** removed -> steady state regained. */
  timeToRecoverMs: number | null;
  /** removed -> backlog drained. */
  timeToDrainMs: number | null;
}

export function emptyTimeline(): Timeline {
  return { injectedAt: null, detectedAt: null, detectedBy: null, mitigatedAt: null, healedAt: null, steadyAt: null, drainedAt: null };
}

const between = (from: number | null, to: number | null) => (from === null || to === null ? null : Math.max(0, to - from));

export function recoveryTimes(t: Timeline): RecoveryTimes {
  return {
    timeToDetectMs: between(t.injectedAt, t.detectedAt),
    timeToMitigateMs: between(t.detectedAt, t.mitigatedAt),
    faultDurationMs: between(t.injectedAt, t.healedAt),
    timeToRecoverMs: between(t.healedAt, t.steadyAt),
    timeToDrainMs: between(t.healedAt, t.drainedAt),
  };
}

export function seconds(ms: number | null): string {
  return ms === null ? '-' : `${(ms / 1000).toFixed(1)} s`;
}
