// Retry policy for gateway charges (report 2.2.2: MAX_RETRY_COUNT = 3, EMERGENCY_MAX_RETRY = 1,
// exponential backoff; when the failure rate is above 50 % stop retrying and publish the
// failure "Circuit breaker open").
//
// The policy only decides; it never sleeps. The caller schedules the retry (the service
// stores a due time in its outbox and a relay publishes `payment.retry` when it is due), so
// no Kafka partition loop ever blocks waiting out a backoff. Randomness is injected so
// tests can pin the jitter.

export type Jitter = 'full' | 'equal' | 'none';

export interface RetryPolicyOptions {
  /** Retries after the first attempt in normal operation (report MAX_RETRY_COUNT). */
  maxRetries?: number;
  /** Retries while emergency mode is on (report EMERGENCY_MAX_RETRY). */
  emergencyMaxRetries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  multiplier?: number;
  /**
   * 'full': random in [0, cap] (AWS "full jitter", spreads a retry storm best);
   * 'equal': cap/2 + random in [0, cap/2]; 'none': exactly cap (deterministic drills).
   */
  jitter?: Jitter;
  /** Start in emergency mode. */
  emergency?: boolean;
  /** Returns a number in [0, 1), like Math.random. */
  random?: () => number;
}

export type GiveUpReason = 'not-retriable' | 'max-retries' | 'circuit-open';

export type RetryDecision = { action: 'retry'; delayMs: number; nextAttempt: number } | { action: 'give-up'; reason: GiveUpReason };

export interface RetryInput {
  /** Attempts already made: 1 after the first try failed. */
  attempt: number;
  /** Retried only when it carries `retriable: true` (OpsError does); anything else gives up. */
  error: unknown;
}

export interface RetryPolicy {
  decide(input: RetryInput): RetryDecision;
  /** Jittered delay before attempt `attempt + 1`, in whole ms. */
  delayFor(attempt: number): number;
  /** The retry limit in force right now. */
  maxRetries(): number;
  setEmergency(on: boolean): void;
  isEmergency(): boolean;
}

export const RETRY_DEFAULTS = {
  maxRetries: 3,
  emergencyMaxRetries: 1,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  multiplier: 2,
  jitter: 'full',
  emergency: false,
} as const;

const JITTERS: readonly string[] = ['full', 'equal', 'none'];

function check(name: string, value: unknown, ok: boolean, range: string): void {
  if (!ok || typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RangeError(`Retry policy option ${name} must be ${range}; got ${String(value)}.`);
  }
}

function checkAttempt(attempt: number): void {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new RangeError(`attempt counts the attempts already made and must be an integer of at least 1; got ${attempt}.`);
  }
}

function field(error: unknown, key: 'retriable' | 'code'): unknown {
  return typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[key] : undefined;
}

// An option passed as undefined means "use the default", as if it were left out.
function definedOnly(options: object): object {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}

export function createRetryPolicy(options: RetryPolicyOptions = {}): RetryPolicy {
  const o = { ...RETRY_DEFAULTS, ...(definedOnly(options) as typeof options) };
  const random = options.random ?? Math.random;
  check('maxRetries', o.maxRetries, Number.isInteger(o.maxRetries) && o.maxRetries >= 0, 'an integer of at least 0');
  check(
    'emergencyMaxRetries',
    o.emergencyMaxRetries,
    Number.isInteger(o.emergencyMaxRetries) && o.emergencyMaxRetries >= 0 && o.emergencyMaxRetries <= o.maxRetries,
    `an integer from 0 to maxRetries (${o.maxRetries}), since emergency mode exists to retry less`,
  );
  check('baseDelayMs', o.baseDelayMs, o.baseDelayMs > 0, 'a finite number of milliseconds above 0');
  check('maxDelayMs', o.maxDelayMs, o.maxDelayMs >= o.baseDelayMs, `a finite number of milliseconds of at least baseDelayMs (${o.baseDelayMs})`);
  check('multiplier', o.multiplier, o.multiplier >= 1, 'a finite number of at least 1');
  if (!JITTERS.includes(o.jitter)) {
    throw new RangeError(`Retry policy option jitter must be one of ${JITTERS.join(', ')}; got ${String(o.jitter)}.`);
  }

  let emergency = o.emergency;
  const limit = () => (emergency ? o.emergencyMaxRetries : o.maxRetries);

  function delayFor(attempt: number): number {
    checkAttempt(attempt);
    // Capped exponential: base * multiplier^(attempt-1); min() also absorbs overflow to Infinity.
    const cap = Math.min(o.maxDelayMs, o.baseDelayMs * o.multiplier ** (attempt - 1));
    const r = Math.min(Math.max(random(), 0), 1);
    if (o.jitter === 'full') return Math.floor(r * cap);
    if (o.jitter === 'equal') return Math.floor(cap / 2 + (r * cap) / 2);
    return Math.floor(cap);
  }

  return {
    decide({ attempt, error }) {
      checkAttempt(attempt);
      if (field(error, 'code') === 'CIRCUIT_OPEN') return { action: 'give-up', reason: 'circuit-open' };
      if (field(error, 'retriable') !== true) return { action: 'give-up', reason: 'not-retriable' };
      // attempt - 1 retries have been made so far.
      if (attempt - 1 >= limit()) return { action: 'give-up', reason: 'max-retries' };
      return { action: 'retry', delayMs: delayFor(attempt), nextAttempt: attempt + 1 };
    },
    delayFor,
    maxRetries: limit,
    setEmergency(on) {
      emergency = on;
    },
    isEmergency() {
      return emergency;
    },
  };
}
