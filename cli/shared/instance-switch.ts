import { OpsError } from '../../lib/index.ts';
import type { AdminState, InstanceRead } from '../../clients/index.ts';
import type { Plan } from './mutation.ts';

// One operator switch set on every service instance (retry mode, consumer profile,
// breaker reset/open): the plan shows each instance's value before and what it becomes;
// applying calls every instance that needs it (those that did not answer are tried too,
// so a partial failure is named per instance); the outcome is read back from the instance.

export interface SwitchSpec {
  /** What is switched, e.g. "consumer profile". */
  setting: string;
  /** The value every instance ends with, e.g. "emergency". */
  target: string;
  /** The instance's current value of the setting. */
  current: (s: AdminState) => string;
  /** Call even when the value already matches (a breaker reset also clears its window). */
  always?: boolean;
  /** What applying it to one instance does, for the plan's steps. */
  effect?: string;
  notes?: string[];
  rollback?: string;
}

export interface SwitchPlanData {
  setting: string;
  target: string;
  instances: Array<{ instance: string; url: string; before: string | null; change: boolean; error: string | null }>;
}

export interface SwitchOutcome {
  instance: string;
  url: string;
  before: string | null;
  after: string | null;
  ok: boolean;
  error: string | null;
}

export function switchPlan(spec: SwitchSpec, reads: InstanceRead[]): Plan<SwitchPlanData> {
  const instances = reads.map((r) => {
    const before = r.state ? spec.current(r.state) : null;
    return { instance: r.name, url: r.url, before, change: before === null || spec.always === true || before !== spec.target, error: r.error };
  });
  const effect = spec.effect ? `; ${spec.effect}` : '';
  const steps = instances
    .filter((i) => i.change)
    .map((i) =>
      i.before === null
        ? `${i.instance} (${i.url}): set ${spec.setting} ${spec.target} (it did not answer just now: ${i.error}; it is tried anyway)`
        : `${i.instance} (${i.url}): ${spec.setting} ${i.before} -> ${spec.target}${effect}`,
    );
  const already = instances.filter((i) => !i.change).map((i) => i.instance);
  const notes = [...(already.length ? [`already ${spec.target}: ${already.join(', ')} (left alone)`] : []), ...(spec.notes ?? [])];
  return {
    title: `set ${spec.setting} to ${spec.target} on ${instances.length} service instance(s)`,
    steps,
    data: { setting: spec.setting, target: spec.target, instances },
    notes,
    rollback: spec.rollback,
    destructive: false,
  };
}

/** Calls every instance the plan changes, in parallel; reads the value back from the answer. */
export async function applySwitch(spec: SwitchSpec, plan: SwitchPlanData, call: (url: string) => Promise<AdminState>): Promise<SwitchOutcome[]> {
  return Promise.all(
    plan.instances.map(async (i): Promise<SwitchOutcome> => {
      if (!i.change) return { instance: i.instance, url: i.url, before: i.before, after: i.before, ok: true, error: null };
      try {
        const after = spec.current(await call(i.url));
        return { instance: i.instance, url: i.url, before: i.before, after, ok: after === spec.target, error: after === spec.target ? null : `answered ${after}, not ${spec.target}` };
      } catch (err) {
        return { instance: i.instance, url: i.url, before: i.before, after: null, ok: false, error: (err as Error).message };
      }
    }),
  );
}

export function outcomeLines(spec: Pick<SwitchSpec, 'setting'>, outcomes: SwitchOutcome[]): string[] {
  return outcomes.map((o) => (o.ok ? `${o.instance}: ${spec.setting} ${o.before ?? '?'} -> ${o.after}` : `${o.instance}: FAILED (${o.error})${o.before ? `, still ${o.before}` : ''}`));
}

/** Thrown when some instance did not take the switch: exit 1, each instance named. */
export function partialFailure(spec: SwitchSpec, outcomes: SwitchOutcome[], again: string): OpsError {
  const failed = outcomes.filter((o) => !o.ok);
  return new OpsError(`${spec.setting} ${spec.target} took effect on ${outcomes.length - failed.length} of ${outcomes.length} instance(s):\n  ${outcomeLines(spec, outcomes).join('\n  ')}`, {
    code: 'PARTIAL_FAILURE',
    retriable: true,
    hint: `Bring back ${failed.map((f) => f.instance).join(', ')} (\`ticketctl health\`; local stack: \`ticketctl stack up\`), then run \`${again} --yes\` again: instances already switched are left alone.${spec.rollback ? ` To undo: \`${spec.rollback}\`.` : ''}`,
  });
}
