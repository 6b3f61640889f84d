import { OpsError, delay } from '../../lib/index.ts';
import { ApiError } from './errors.ts';

// The fault knobs a drill turns at run time to make the stand-in behave like a real card
// processor on a bad day. They are applied to POST /charges and POST /refunds in a fixed
// order: latency first (a slow processor is slow before it decides anything), then
// errorRate (an outage answers 503 and records nothing, so a retry is always safe), then
// the outcome knobs. declineRate applies to charges only (a refund is never declined);
// timeoutAfterChargeRate applies to both: the money moved, the answer is late.
// A replayed key is never declined or delayed again: its outcome was decided the first time.
// refundPolicy is not a fault rate but the processor's refund rule (see refunds.ts).

export interface Knobs {
  /** Wait this long before doing anything. */
  latencyMs: number;
  /** Probability (0..1) of 503 GATEWAY_UNAVAILABLE with nothing recorded. */
  errorRate: number;
  /** Probability (0..1) a new charge is recorded DECLINED and answered 402. */
  declineRate: number;
  /** Probability (0..1) the operation is recorded but the answer waits timeoutAfterChargeMs. */
  timeoutAfterChargeRate: number;
  timeoutAfterChargeMs: number;
  /**
   * 'up-to-amount' (real processors): any number of refunds per charge, each under its own
   * key, never more in total than the charge. 'unchecked': a sloppy processor that refunds
   * again under every new key, without a cap, so a drill can prove the service itself
   * never refunds a charge twice.
   */
  refundPolicy: RefundPolicy;
}

export const REFUND_POLICIES = ['up-to-amount', 'unchecked'] as const;
export type RefundPolicy = (typeof REFUND_POLICIES)[number];

export const MAX_KNOB_MS = 120_000;
export const DEFAULT_KNOBS: Readonly<Knobs> = { latencyMs: 0, errorRate: 0, declineRate: 0, timeoutAfterChargeRate: 0, timeoutAfterChargeMs: 30_000, refundPolicy: 'up-to-amount' };

const RATE_KNOBS = ['errorRate', 'declineRate', 'timeoutAfterChargeRate'] as const;
const MS_KNOBS = ['latencyMs', 'timeoutAfterChargeMs'] as const;

const rateSchema = { type: 'number', minimum: 0, maximum: 1, description: 'a probability from 0 to 1' } as const;
const msSchema = { type: 'integer', minimum: 0, maximum: MAX_KNOB_MS, description: `whole milliseconds from 0 to ${MAX_KNOB_MS}` } as const;

/** PUT /knobs: a partial update; unknown names are refused so a typo is not silently ignored. */
export const knobsUpdateSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    latencyMs: msSchema,
    errorRate: rateSchema,
    declineRate: rateSchema,
    timeoutAfterChargeRate: rateSchema,
    timeoutAfterChargeMs: msSchema,
    refundPolicy: { type: 'string', enum: REFUND_POLICIES, description: `one of ${REFUND_POLICIES.join(', ')}` },
  },
} as const;

/** Range check for knobs that did not come through the HTTP schema (factory options). */
export function checkKnobs(k: Knobs): Knobs {
  for (const name of RATE_KNOBS) {
    const v = k[name];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
      throw new OpsError(`gateway knob ${name} = ${String(v)} is out of range`, { code: 'INVALID_KNOB', hint: `${name} is a probability from 0 to 1` });
    }
  }
  for (const name of MS_KNOBS) {
    const v = k[name];
    if (!Number.isInteger(v) || v < 0 || v > MAX_KNOB_MS) {
      throw new OpsError(`gateway knob ${name} = ${String(v)} is out of range`, { code: 'INVALID_KNOB', hint: `${name} is whole milliseconds from 0 to ${MAX_KNOB_MS}` });
    }
  }
  if (!(REFUND_POLICIES as readonly unknown[]).includes(k.refundPolicy)) {
    throw new OpsError(`gateway knob refundPolicy = ${String(k.refundPolicy)} is not a policy`, { code: 'INVALID_KNOB', hint: `refundPolicy is one of ${REFUND_POLICIES.join(', ')}` });
  }
  return k;
}

export interface KnobStore {
  get(): Knobs;
  update(patch: Partial<Knobs>): Knobs;
}

export function createKnobs(initial: Partial<Knobs> = {}): KnobStore {
  const merge = (base: Knobs, patch: Partial<Knobs>): Knobs => {
    const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    return checkKnobs({ ...base, ...defined });
  };
  let current = merge({ ...DEFAULT_KNOBS }, initial);
  return {
    get: () => ({ ...current }),
    update(patch) {
      current = merge(current, patch);
      return { ...current };
    },
  };
}

export interface Faults {
  /** Latency, then maybe a simulated outage (throws 503 before anything is recorded). */
  beforeWork(): Promise<void>;
  declines(): boolean;
  /** Maybe holds the answer back after the operation was recorded. */
  answerLate(): Promise<void>;
}

/**
 * `random` is injectable so tests can force outcomes; a knob at 0 draws nothing, so an
 * injected sequence only feeds the knobs that are switched on. `shutdown` cuts every wait
 * short when the server closes, so a 30 s "late answer" never holds up a graceful stop.
 */
export function createFaults(knobs: KnobStore, random: () => number, shutdown: AbortSignal): Faults {
  const roll = (rate: number) => rate > 0 && random() < rate;
  return {
    async beforeWork() {
      const k = knobs.get();
      if (k.latencyMs > 0) {
        try {
          await delay(k.latencyMs, shutdown);
        } catch {
          throw new ApiError('the gateway is shutting down; nothing was recorded', { status: 503, code: 'GATEWAY_UNAVAILABLE' });
        }
      }
      if (roll(k.errorRate)) {
        throw new ApiError('the card processor is unavailable (simulated outage); nothing was recorded, retry later', { status: 503, code: 'GATEWAY_UNAVAILABLE' });
      }
    },
    declines: () => roll(knobs.get().declineRate),
    async answerLate() {
      const k = knobs.get();
      if (!roll(k.timeoutAfterChargeRate)) return;
      // An abort (shutdown) only means "answer now": the operation is already recorded.
      await delay(k.timeoutAfterChargeMs, shutdown).catch(() => undefined);
    },
  };
}
