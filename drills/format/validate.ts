import { OpsError, FieldReader } from '../../lib/index.ts';
import { readFaultSpec } from '../faults/index.ts';
import type { DrillTargets } from '../faults/types.ts';
import { INVARIANT_NAMES, PROBE_NAMES, type Drill, type LoadSpec, type ResponseBounds } from './types.ts';

// Validates a drill file before anything is touched. Every error names the file and the
// field (`faults[1].proxy`) and says what would be accepted, and exits 3 (a drill
// configuration error, README "Exit codes"). Optional keys get the defaults below, so a
// drill file says only what makes it different. The common fields are read here; each
// fault is handed to its kind's reader (drills/faults/<kind>.ts, `read`), which names
// the field the same way (`faults[0].proxy`).

export class DrillFormatError extends OpsError {
  constructor(file: string, field: string, problem: string) {
    super(`${file}: ${field} ${problem}`, { code: 'DRILL_FORMAT', exitCode: 3, hint: 'Fix that field (the format is in drills/README.md), then check with `ticketctl drill show <name>`.' });
  }
}

export type { DrillTargets } from '../faults/types.ts';

export const DRILL_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

const TOP_KEYS = ['name', 'title', 'report', 'description', 'steadyState', 'faults', 'faultAfterMs', 'detect', 'load', 'observeMs', 'mitigate', 'afterHeal', 'recovery', 'responses', 'invariants'];

export function validateDrill(raw: unknown, file: string, targets: DrillTargets): Drill {
  const v = new FieldReader((field, problem) => new DrillFormatError(file, field, problem));
  const o = v.object(raw, '(top level)', TOP_KEYS);
  const name = v.string(o.name, 'name');
  if (!DRILL_NAME.test(name)) v.fail('name', 'must be lower-case letters, digits and "-"', name);
  const ss = v.object(o.steadyState ?? {}, 'steadyState', ['maxLag', 'maxErrorRate', 'withinMs']);
  const faultsRaw = v.array(o.faults, 'faults', 1);
  const detect = v.object(o.detect, 'detect', ['probes', 'withinMs']);
  const recovery = v.object(o.recovery ?? {}, 'recovery', ['steadyWithinMs', 'drainWithinMs', 'lockTtlMs', 'maxAttempts', 'settleWithinMs']);
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
      maxLag: v.integer(ss.maxLag ?? 50, 'steadyState.maxLag', 0, 1_000_000),
      maxErrorRate: v.rate(ss.maxErrorRate ?? 0, 'steadyState.maxErrorRate'),
      withinMs: v.integer(ss.withinMs ?? 60_000, 'steadyState.withinMs', 1000, 600_000),
    },
    faults: faultsRaw.map((f, i) => readFaultSpec(v, f, `faults[${i}]`, targets)),
    faultAfterMs: v.integer(o.faultAfterMs ?? 1000, 'faultAfterMs', 0, 600_000),
    detect: {
      probes: v.array(detect.probes, 'detect.probes', 1).map((p, i) => v.oneOf(p, `detect.probes[${i}]`, PROBE_NAMES)),
      withinMs: v.integer(detect.withinMs ?? 30_000, 'detect.withinMs', 100, 600_000),
    },
    load: load(v, o.load),
    observeMs: v.integer(o.observeMs ?? 10_000, 'observeMs', 0, 1_200_000),
    mitigate: { steps: mitigateSteps, withinMs: v.integer(mitigate.withinMs ?? 120_000, 'mitigate.withinMs', 1000, 1_200_000) },
    afterHeal,
    recovery: {
      steadyWithinMs: v.integer(recovery.steadyWithinMs ?? 90_000, 'recovery.steadyWithinMs', 1000, 1_200_000),
      drainWithinMs: v.integer(recovery.drainWithinMs ?? 120_000, 'recovery.drainWithinMs', 1000, 1_200_000),
      lockTtlMs: v.integer(recovery.lockTtlMs ?? 10_000, 'recovery.lockTtlMs', 100, 600_000),
      maxAttempts: v.integer(recovery.maxAttempts ?? 4, 'recovery.maxAttempts', 1, 100),
      settleWithinMs: v.integer(recovery.settleWithinMs ?? 0, 'recovery.settleWithinMs', 0, 600_000),
    },
    responses: responses(v, o.responses),
    invariants,
    file,
  };
}

function load(v: FieldReader, raw: unknown): LoadSpec {
  const o = v.object(raw, 'load', ['seats', 'operations', 'contenders', 'payRatio', 'concurrency', 'durationMs', 'price', 'instances', 'pollMs', 'pollIntervalMs']);
  const seats = v.integer(o.seats, 'load.seats', 1, 10_000);
  const contenders = v.integer(o.contenders ?? 1, 'load.contenders', 1, 50);
  const operations = v.integer(o.operations ?? seats * contenders, 'load.operations', 0, 100_000);
  if (operations > seats * contenders) v.fail('load.operations', `must be at most seats x contenders (${seats * contenders}): each seat gets at most "contenders" attempts`, operations);
  return {
    seats,
    operations,
    contenders,
    payRatio: v.rate(o.payRatio ?? 1, 'load.payRatio'),
    concurrency: v.integer(o.concurrency ?? 4, 'load.concurrency', 1, 200),
    durationMs: v.integer(o.durationMs ?? 10_000, 'load.durationMs', 0, 600_000),
    price: v.integer(o.price ?? 50_000, 'load.price', 1, 100_000_000),
    instances: o.instances === undefined ? null : v.array(o.instances, 'load.instances', 1).map((n, i) => v.integer(n, `load.instances[${i}]`, 1, 9)),
    pollMs: v.integer(o.pollMs ?? 0, 'load.pollMs', 0, 600_000),
    pollIntervalMs: v.integer(o.pollIntervalMs ?? 500, 'load.pollIntervalMs', 50, 60_000),
  };
}

function responses(v: FieldReader, raw: unknown): ResponseBounds {
  const o = v.object(raw ?? {}, 'responses', ['maxMs', 'max503Ms', 'errorStatuses', 'maxErrorRate', 'retryAfterOn503']);
  const maxMs = v.integer(o.maxMs ?? 10_000, 'responses.maxMs', 1, 600_000);
  return {
    maxMs,
    max503Ms: v.integer(o.max503Ms ?? maxMs, 'responses.max503Ms', 1, 600_000),
    errorStatuses: v.array(o.errorStatuses ?? [500, 502, 504], 'responses.errorStatuses', 0).map((s, i) => v.integer(s, `responses.errorStatuses[${i}]`, 100, 599)),
    maxErrorRate: v.rate(o.maxErrorRate ?? 0, 'responses.maxErrorRate'),
    retryAfterOn503: v.boolean(o.retryAfterOn503 ?? true, 'responses.retryAfterOn503'),
  };
}
