// Circuit breaker around the payment gateway (report 2.0.2 and 5: opens when the failure
// rate over the recent calls is above 50 %, decides only after 5 calls, stays open 30 s,
// then lets one probe call through). Pure logic: no timers, the clock is injected, and the
// OPEN -> HALF_OPEN step happens lazily the next time anyone looks (execute/state/snapshot).
// Outcomes of calls admitted before a state change are ignored, so a slow call started while
// CLOSED can neither reopen a breaker that already opened nor pass for the half-open probe.
// Not opossum: its window is time-based (no "last N calls"), it counts in-flight and refused
// calls in the rate, a late success from before the opening closes it from HALF_OPEN, its
// open() half-opens by itself after resetTimeout (no operator-forced open), close() keeps the
// old counts, and it exposes no openedAt for Retry-After: it would need as much code around it.
import { OpsError } from '../../lib/index.ts';

export type CircuitState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

export type TransitionReason = 'failure-rate' | 'open-elapsed' | 'probe-succeeded' | 'probe-failed' | 'forced' | 'reset';

export interface StateChange {
  breaker: string;
  from: CircuitState;
  to: CircuitState;
  reason: TransitionReason;
  at: number;
}

export interface BreakerSnapshot {
  state: CircuitState;
  /** Failures / calls over the sliding window, 0 when empty. */
  failureRate: number;
  calls: number;
  failures: number;
  /** When the breaker last opened (clock ms), null unless OPEN or HALF_OPEN. */
  openedAt: number | null;
  /** Null while CLOSED; otherwise what a refused call would be told (see CircuitOpenError). */
  retryAfterMs: number | null;
  /** Opened by an operator: stays open until reset(). */
  forced: boolean;
}

export interface BreakerOptions {
  /** Used in messages and state-change events, e.g. 'payment-gateway'. */
  name?: string;
  failureRateThreshold?: number;
  minimumCalls?: number;
  windowSize?: number;
  openDurationMs?: number;
  halfOpenMaxCalls?: number;
  now?: () => number;
}

export interface CircuitBreaker {
  execute<T>(fn: () => Promise<T>, isFailure?: (err: unknown) => boolean): Promise<T>;
  state(): CircuitState;
  snapshot(): BreakerSnapshot;
  /** Returns a function that removes the listener. Listeners run after the state changed. */
  onStateChange(listener: (change: StateChange) => void): () => void;
  forceOpen(): void;
  reset(): void;
}

export const BREAKER_DEFAULTS = {
  name: 'circuit',
  failureRateThreshold: 0.5,
  minimumCalls: 5,
  windowSize: 20,
  openDurationMs: 30_000,
  halfOpenMaxCalls: 1,
} as const;

/** A call refused because the breaker is open; never worth retrying right away. */
export class CircuitOpenError extends OpsError {
  readonly breaker: string;
  /** Ms until the half-open probe is allowed (0: a probe is running and decides). */
  readonly retryAfterMs: number;
  constructor(breaker: string, retryAfterMs: number, hint: string) {
    super(`Circuit breaker open (${breaker}): call refused.`, { code: 'CIRCUIT_OPEN', retriable: false, hint });
    this.breaker = breaker;
    this.retryAfterMs = retryAfterMs;
  }
}

function check(name: string, value: number, ok: boolean, range: string): void {
  if (!ok || !Number.isFinite(value)) {
    throw new RangeError(`Circuit breaker option ${name} must be ${range}; got ${String(value)}.`);
  }
}

// An option passed as undefined means "use the default", as if it were left out.
function definedOnly(options: object): object {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}

export function createCircuitBreaker(options: BreakerOptions = {}): CircuitBreaker {
  const o = { ...BREAKER_DEFAULTS, ...(definedOnly(options) as typeof options) };
  const now = options.now ?? Date.now;
  const t = o.failureRateThreshold;
  check('failureRateThreshold', t, t >= 0 && t < 1, 'a number from 0 up to (not including) 1, e.g. 0.5 for "above 50 %"');
  check('windowSize', o.windowSize, Number.isInteger(o.windowSize) && o.windowSize >= 1, 'an integer of at least 1');
  check('minimumCalls', o.minimumCalls, Number.isInteger(o.minimumCalls) && o.minimumCalls >= 1 && o.minimumCalls <= o.windowSize, `an integer from 1 to windowSize (${o.windowSize})`);
  check('openDurationMs', o.openDurationMs, o.openDurationMs > 0, 'a finite number of milliseconds above 0');
  check('halfOpenMaxCalls', o.halfOpenMaxCalls, Number.isInteger(o.halfOpenMaxCalls) && o.halfOpenMaxCalls >= 1, 'an integer of at least 1');

  let current: CircuitState = 'CLOSED';
  let generation = 0; // bumped on every transition; permits from older generations are ignored
  let outcomes: boolean[] = []; // true = failure, oldest first
  let failures = 0;
  let openedAt: number | null = null;
  let forced = false;
  let lastReason: TransitionReason = 'reset';
  let probesInFlight = 0;
  let probeSuccesses = 0;
  const listeners = new Set<(change: StateChange) => void>();

  function transition(to: CircuitState, reason: TransitionReason): void {
    const from = current;
    const at = now();
    current = to;
    lastReason = reason;
    generation++;
    probesInFlight = 0;
    probeSuccesses = 0;
    if (to === 'OPEN') openedAt = at;
    if (to === 'CLOSED') {
      openedAt = null;
      outcomes = [];
      failures = 0;
      forced = false;
    }
    for (const listener of [...listeners]) listener({ breaker: o.name, from, to, reason, at });
  }

  function refresh(): void {
    if (current === 'OPEN' && !forced && openedAt !== null && now() - openedAt >= o.openDurationMs) {
      transition('HALF_OPEN', 'open-elapsed');
    }
  }

  function retryAfter(): number {
    if (current === 'OPEN') return forced || openedAt === null ? o.openDurationMs : Math.max(0, openedAt + o.openDurationMs - now());
    return 0;
  }

  function refusal(): CircuitOpenError {
    const wait = retryAfter();
    const why = lastReason === 'probe-failed' ? ' again after the half-open probe failed' : outcomes.length === 0 ? '' : ` after ${failures} of the last ${outcomes.length} calls failed`;
    const hint = forced
      ? 'An operator opened it; it stays open until it is reset. Check the downstream service before resetting.'
      : current === 'HALF_OPEN'
        ? 'A probe call is testing the downstream service now; its outcome closes or reopens the breaker.'
        : `It opened${why}; one probe call is let through in ${Math.ceil(wait / 1000)} s. Check the downstream service's health.`;
    return new CircuitOpenError(o.name, wait, hint);
  }

  function acquire(): { generation: number; probe: boolean } {
    refresh();
    if (current === 'OPEN') throw refusal();
    if (current === 'HALF_OPEN') {
      if (probesInFlight + probeSuccesses >= o.halfOpenMaxCalls) throw refusal();
      probesInFlight++;
      return { generation, probe: true };
    }
    return { generation, probe: false };
  }

  function record(permit: { generation: number; probe: boolean }, failed: boolean): void {
    if (permit.generation !== generation) return;
    if (permit.probe) {
      probesInFlight--;
      if (failed) return transition('OPEN', 'probe-failed');
      probeSuccesses++;
      if (probeSuccesses >= o.halfOpenMaxCalls) transition('CLOSED', 'probe-succeeded');
      return;
    }
    outcomes.push(failed);
    if (failed) failures++;
    if (outcomes.length > o.windowSize && outcomes.shift()) failures--;
    if (outcomes.length >= o.minimumCalls && failures / outcomes.length > o.failureRateThreshold) {
      transition('OPEN', 'failure-rate');
    }
  }

  return {
    async execute<T>(fn: () => Promise<T>, isFailure: (err: unknown) => boolean = () => true): Promise<T> {
      const permit = acquire();
      let value: T;
      try {
        value = await fn();
      } catch (err) {
        let failed = true;
        try {
          failed = isFailure(err);
        } finally {
          record(permit, failed);
        }
        throw err;
      }
      record(permit, false);
      return value;
    },
    state() {
      refresh();
      return current;
    },
    snapshot() {
      refresh();
      return {
        state: current,
        failureRate: outcomes.length === 0 ? 0 : failures / outcomes.length,
        calls: outcomes.length,
        failures,
        openedAt,
        retryAfterMs: current === 'CLOSED' ? null : retryAfter(),
        forced,
      };
    },
    onStateChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    forceOpen() {
      if (forced) return;
      forced = true;
      transition('OPEN', 'forced');
    },
    reset() {
      if (current !== 'CLOSED') return transition('CLOSED', 'reset');
      outcomes = [];
      failures = 0;
    },
  };
}
