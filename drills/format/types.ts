import type { FaultSpec } from '../faults/registry.ts';

// The drill format: what a drill file (drills/scenarios/<name>.json) says once validated.
// A drill is plain data, in the manner of chaostoolkit's experiments: a steady-state
// hypothesis, the faults, the load run during them, how the fault must show itself, how
// recovery is judged, and the invariants checked from the systems of record. The runner
// (drills/runner/) is the only code that acts on it. Keys are documented in drills/README.md.

// A fault's spec is declared by its kind's file (drills/faults/<kind>.ts) into the fault
// registry; FaultSpec is the union of them.
export type { FaultSpec, FaultType } from '../faults/registry.ts';

/** Probes a drill can name; each is a check that passes in steady state (drills/probes/). */
export const PROBE_NAMES = ['service-health', 'health-db', 'health-kafka', 'health-redis', 'all-brokers-up', 'breakers-closed', 'dlq-unchanged', 'lag-under-threshold', 'holds-answer'] as const;
export type ProbeName = (typeof PROBE_NAMES)[number];

export const INVARIANT_NAMES = [
  'no-double-sale',
  'no-double-charge',
  'payments-final',
  'charges-refunded',
  'no-orphan-locks',
  'dlq-accounted',
  'responses-bounded',
  'retries-bounded',
  'pending-while-faulted',
  'no-phantom-holds',
  'no-refund-twice',
  'success-owns-seat',
  'polls-answered',
] as const;
export type InvariantName = (typeof INVARIANT_NAMES)[number];

export interface LoadSpec {
  /** Fresh seats seeded for this run (invariants look only at these). */
  seats: number;
  /** Hold attempts; with contenders > 1 several users race for one seat. */
  operations: number;
  /** Users racing for each seat that gets an operation. */
  contenders: number;
  /** Fraction (0..1) of successful holds that go on to pay. */
  payRatio: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** The operations are spread over this window, starting when the load starts. */
  durationMs: number;
  /** Price of each seeded seat (minor units). */
  price: number;
  /** Service instances (1-based) the load is sent to, as a load balancer would route around a dead one; null = all. */
  instances: number[] | null;
  /** After a payment is accepted, its client keeps polling it this long (0: no polling; drills/load/poll.ts). */
  pollMs: number;
  /** Between two polls of one payment. */
  pollIntervalMs: number;
}

export interface ResponseBounds {
  /** No request may take longer than this (a hang is worse than an error). */
  maxMs: number;
  /** Statuses that count as user-visible errors, e.g. [500, 502, 503, 504]. */
  errorStatuses: number[];
  /** Of all requests, at most this fraction may answer an error status (0 = none). */
  maxErrorRate: number;
  /** A 503 must come at least this fast (report 2.3.1: fail fast, do not queue). */
  max503Ms: number;
  /** Every 503 must carry Retry-After (report 2.3.1). */
  retryAfterOn503: boolean;
}

export interface Drill {
  name: string;
  title: string;
  /** Section of the report the drill reproduces, e.g. "2.2.2". */
  report: string;
  description: string;
  steadyState: { maxLag: number; maxErrorRate: number; withinMs: number };
  faults: FaultSpec[];
  /** Load starts first; the faults follow after this delay (so the fault lands "under load"). */
  faultAfterMs: number;
  /** The fault counts only when one of these probes fails within withinMs of injection. */
  detect: { probes: ProbeName[]; withinMs: number };
  load: LoadSpec;
  /** How long the faults stay on after injection (at least until the load finishes). */
  observeMs: number;
  /**
   * Runbook steps taken while the fault is still on (e.g. scale out against lag), each argv
   * after `ticketctl`; then the detect probes must pass again within withinMs, the fault
   * still applied (time to mitigate). Empty steps: no mitigation phase.
   */
  mitigate: { steps: string[][]; withinMs: number };
  /** ticketctl commands run after the faults are removed (the report's runbook steps), each argv after `ticketctl`. */
  afterHeal: string[][];
  /**
   * settleWithinMs: compensation that settles after the drain (a reconciler refunding late
   * charges) gets this long: an after-recovery invariant that does not pass is checked again
   * until it does or the bound runs out (0: checked once).
   */
  recovery: { steadyWithinMs: number; drainWithinMs: number; lockTtlMs: number; maxAttempts: number; settleWithinMs: number };
  responses: ResponseBounds;
  invariants: InvariantName[];
  /** The file it came from. */
  file: string;
}
