import { OpsError } from '../../lib/errors.ts';
import { INVARIANT_NAMES, PROBE_NAMES, TOXIC_TYPES, type Drill, type FaultSpec, type LoadSpec, type ResponseBounds } from './types.ts';

// Validates a drill file before anything is touched. Every error names the file and the
// field (`faults[1].proxy`) and says what would be accepted, and exits 3 (a drill
// configuration error, README "Exit codes"). Optional keys get the defaults below, so a
// drill file says only what makes it different.

export class DrillFormatError extends OpsError {
  constructor(file: string, field: string, problem: string) {
    super(`${file}: ${field} ${problem}`, { code: 'DRILL_FORMAT', exitCode: 3, hint: 'Fix that field (the format is in drills/README.md), then check with `ticketctl drill show <name>`.' });
  }
}

/** What the stack offers: proxy and process names a fault may name. */
export interface DrillTargets {
  proxies: string[];
  processes: string[];
}

const GATEWAY_KNOBS = ['latencyMs', 'errorRate', 'declineRate', 'timeoutAfterChargeRate', 'timeoutAfterChargeMs'];
const TOPICS = ['payment.try', 'payment.retry', 'payment.success', 'payment.failure', 'payment.cancel'];
export const DRILL_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

const TOP_KEYS = ['name', 'title', 'report', 'description', 'steadyState', 'faults', 'faultAfterMs', 'detect', 'load', 'observeMs', 'mitigate', 'afterHeal', 'recovery', 'responses', 'invariants'];

export function validateDrill(raw: unknown, file: string, targets: DrillTargets): Drill {
  const v = new Check(file);
  const o = v.object(raw, '(top level)', TOP_KEYS);
  const name = v.string(o.name, 'name');
  if (!DRILL_NAME.test(name)) v.fail('name', 'must be lower-case letters, digits and "-"', name);
  const ss = v.object(o.steadyState ?? {}, 'steadyState', ['maxLag', 'maxErrorRate', 'withinMs']);
  const faultsRaw = v.array(o.faults, 'faults', 1);
  const detect = v.object(o.detect, 'detect', ['probes', 'withinMs']);
  const recovery = v.object(o.recovery ?? {}, 'recovery', ['steadyWithinMs', 'drainWithinMs', 'lockTtlMs', 'maxAttempts']);
  const afterHeal = v.array(o.afterHeal ?? [], 'afterHeal', 0).map((cmd, i) => v.array(cmd, `afterHeal[${i}]`, 1).map((a, j) => v.string(a, `afterHeal[${i}][${j}]`)));
  const mitigate = v.object(o.mitigate ?? {}, 'mitigate', ['steps', 'withinMs']);
  const mitigateSteps = v.array(mitigate.steps ?? [], 'mitigate.steps', 0).map((cmd, i) => v.array(cmd, `mitigate.steps[${i}]`, 1).map((a, j) => v.string(a, `mitigate.steps[${i}][${j}]`)));
  const invariants = v.array(o.invariants, 'invariants', 1).map((x, i) => v.oneOf(x, `invariants[${i}]`, INVARIANT_NAMES));
  if (new Set(invariants).size !== invariants.length) v.fail('invariants', 'must not name an invariant twice', invariants);
  return {
    name,
    title: v.string(o.title, 'title'),
    report: v.string(o.report, 'report'),
    description: v.string(o.description, 'description'),
    steadyState: {
      maxLag: v.int(ss.maxLag ?? 50, 'steadyState.maxLag', 0, 1_000_000),
      maxErrorRate: v.rate(ss.maxErrorRate ?? 0, 'steadyState.maxErrorRate'),
      withinMs: v.int(ss.withinMs ?? 60_000, 'steadyState.withinMs', 1000, 600_000),
    },
    faults: faultsRaw.map((f, i) => fault(v, f, `faults[${i}]`, targets)),
    faultAfterMs: v.int(o.faultAfterMs ?? 1000, 'faultAfterMs', 0, 600_000),
    detect: {
      probes: v.array(detect.probes, 'detect.probes', 1).map((p, i) => v.oneOf(p, `detect.probes[${i}]`, PROBE_NAMES)),
      withinMs: v.int(detect.withinMs ?? 30_000, 'detect.withinMs', 100, 600_000),
    },
    load: load(v, o.load),
    observeMs: v.int(o.observeMs ?? 10_000, 'observeMs', 0, 1_200_000),
    mitigate: { steps: mitigateSteps, withinMs: v.int(mitigate.withinMs ?? 120_000, 'mitigate.withinMs', 1000, 1_200_000) },
    afterHeal,
    recovery: {
      steadyWithinMs: v.int(recovery.steadyWithinMs ?? 90_000, 'recovery.steadyWithinMs', 1000, 1_200_000),
      drainWithinMs: v.int(recovery.drainWithinMs ?? 120_000, 'recovery.drainWithinMs', 1000, 1_200_000),
      lockTtlMs: v.int(recovery.lockTtlMs ?? 10_000, 'recovery.lockTtlMs', 100, 600_000),
      maxAttempts: v.int(recovery.maxAttempts ?? 4, 'recovery.maxAttempts', 1, 100),
    },
    responses: responses(v, o.responses),
    invariants,
    file,
  };
}

function fault(v: Check, raw: unknown, at: string, t: DrillTargets): FaultSpec {
  const type = v.oneOf(v.object(raw, at).type, `${at}.type`, ['toxic', 'proxy-down', 'kill', 'pause', 'gateway-knobs', 'poison-messages', 'redis-master-crash'] as const);
  switch (type) {
    case 'toxic': {
      const o = v.object(raw, at, ['type', 'proxy', 'toxic', 'stream', 'toxicity', 'attributes']);
      const attrs = v.object(o.attributes ?? {}, `${at}.attributes`);
      return {
        type,
        proxy: v.oneOf(o.proxy, `${at}.proxy`, t.proxies),
        toxic: v.oneOf(o.toxic, `${at}.toxic`, TOXIC_TYPES),
        stream: v.oneOf(o.stream ?? 'downstream', `${at}.stream`, ['upstream', 'downstream'] as const),
        toxicity: v.rate(o.toxicity ?? 1, `${at}.toxicity`),
        attributes: Object.fromEntries(Object.entries(attrs).map(([k, x]) => [k, v.int(x, `${at}.attributes.${k}`, 0, 100_000_000)])),
      };
    }
    case 'proxy-down': {
      const o = v.object(raw, at, ['type', 'proxies']);
      return { type, proxies: v.array(o.proxies, `${at}.proxies`, 1).map((p, i) => v.oneOf(p, `${at}.proxies[${i}]`, t.proxies)) };
    }
    case 'kill':
    case 'pause': {
      const o = v.object(raw, at, ['type', 'process']);
      return { type, process: v.oneOf(o.process, `${at}.process`, t.processes) };
    }
    case 'gateway-knobs': {
      const o = v.object(raw, at, ['type', 'knobs']);
      const k = v.object(o.knobs, `${at}.knobs`, GATEWAY_KNOBS);
      if (Object.keys(k).length === 0) v.fail(`${at}.knobs`, `must set at least one of ${GATEWAY_KNOBS.join(', ')}`, k);
      const knobs = Object.fromEntries(Object.entries(k).map(([name, x]) => [name, name.endsWith('Ms') ? v.int(x, `${at}.knobs.${name}`, 0, 120_000) : v.rate(x, `${at}.knobs.${name}`)]));
      return { type, knobs };
    }
    case 'poison-messages': {
      const o = v.object(raw, at, ['type', 'topic', 'count']);
      return { type, topic: v.oneOf(o.topic ?? 'payment.try', `${at}.topic`, TOPICS), count: v.int(o.count ?? 5, `${at}.count`, 1, 1000) };
    }
    case 'redis-master-crash': {
      const o = v.object(raw, at, ['type', 'awaitPromotion']);
      return { type, awaitPromotion: v.bool(o.awaitPromotion ?? false, `${at}.awaitPromotion`) };
    }
  }
}

function load(v: Check, raw: unknown): LoadSpec {
  const o = v.object(raw, 'load', ['seats', 'operations', 'contenders', 'payRatio', 'concurrency', 'durationMs', 'price', 'instances']);
  const seats = v.int(o.seats, 'load.seats', 1, 10_000);
  const contenders = v.int(o.contenders ?? 1, 'load.contenders', 1, 50);
  const operations = v.int(o.operations ?? seats * contenders, 'load.operations', 0, 100_000);
  if (operations > seats * contenders) v.fail('load.operations', `must be at most seats x contenders (${seats * contenders}): each seat gets at most "contenders" attempts`, operations);
  return {
    seats,
    operations,
    contenders,
    payRatio: v.rate(o.payRatio ?? 1, 'load.payRatio'),
    concurrency: v.int(o.concurrency ?? 4, 'load.concurrency', 1, 200),
    durationMs: v.int(o.durationMs ?? 10_000, 'load.durationMs', 0, 600_000),
    price: v.int(o.price ?? 50_000, 'load.price', 1, 100_000_000),
    instances: o.instances === undefined ? null : v.array(o.instances, 'load.instances', 1).map((n, i) => v.int(n, `load.instances[${i}]`, 1, 9)),
  };
}

function responses(v: Check, raw: unknown): ResponseBounds {
  const o = v.object(raw ?? {}, 'responses', ['maxMs', 'max503Ms', 'errorStatuses', 'maxErrorRate', 'retryAfterOn503']);
  const maxMs = v.int(o.maxMs ?? 10_000, 'responses.maxMs', 1, 600_000);
  return {
    maxMs,
    max503Ms: v.int(o.max503Ms ?? maxMs, 'responses.max503Ms', 1, 600_000),
    errorStatuses: v.array(o.errorStatuses ?? [500, 502, 504], 'responses.errorStatuses', 0).map((s, i) => v.int(s, `responses.errorStatuses[${i}]`, 100, 599)),
    maxErrorRate: v.rate(o.maxErrorRate ?? 0, 'responses.maxErrorRate'),
    retryAfterOn503: v.bool(o.retryAfterOn503 ?? true, 'responses.retryAfterOn503'),
  };
}

class Check {
  readonly file: string;
  constructor(file: string) {
    this.file = file;
  }
  fail(field: string, problem: string, got: unknown): never {
    throw new DrillFormatError(this.file, field, `${problem} (got ${JSON.stringify(got) ?? String(got)}).`);
  }
  object(raw: unknown, field: string, allowed?: string[]): Record<string, unknown> {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) this.fail(field, 'must be an object', raw);
    const unknown = allowed ? Object.keys(raw as object).filter((k) => !allowed.includes(k)) : [];
    if (unknown.length) throw new DrillFormatError(this.file, field === '(top level)' ? unknown[0]! : `${field}.${unknown[0]}`, `is not a known key (allowed here: ${allowed!.join(', ')}).`);
    return raw as Record<string, unknown>;
  }
  array(raw: unknown, field: string, min: number): unknown[] {
    if (!Array.isArray(raw)) this.fail(field, 'must be a list', raw);
    if ((raw as unknown[]).length < min) this.fail(field, `must have at least ${min} item${min === 1 ? '' : 's'}`, raw);
    return raw as unknown[];
  }
  string(raw: unknown, field: string): string {
    if (typeof raw !== 'string' || raw.trim() === '') this.fail(field, 'must be a non-empty string', raw);
    return raw as string;
  }
  bool(raw: unknown, field: string): boolean {
    if (typeof raw !== 'boolean') this.fail(field, 'must be true or false', raw);
    return raw as boolean;
  }
  int(raw: unknown, field: string, min: number, max: number): number {
    if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < min || raw > max) this.fail(field, `must be a whole number from ${min} to ${max}`, raw);
    return raw as number;
  }
  rate(raw: unknown, field: string): number {
    if (typeof raw !== 'number' || !(raw >= 0 && raw <= 1)) this.fail(field, 'must be a number from 0 to 1', raw);
    return raw as number;
  }
  oneOf<T extends string>(raw: unknown, field: string, allowed: readonly T[]): T {
    if (typeof raw !== 'string' || !allowed.includes(raw as T)) this.fail(field, `must be one of ${allowed.join(', ')}`, raw);
    return raw as T;
  }
}
