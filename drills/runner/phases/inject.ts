import { delay } from '../../../lib/index.ts';
import { appendFaultLog, selfRunner, type InjectRecord } from '../../fault-log.ts';
import { faultKind, type FaultSpec } from '../../faults/index.ts';
import { planLoad } from '../../load/plan.ts';
import { runLoad } from '../../load/run.ts';
import type { FaultRecord } from '../../report/journal.ts';
import { HarnessError, type DrillRun } from '../drill-run.ts';

// Phase 2: the seeded load starts, and after faultAfterMs (so the faults land under load)
// each fault, in order: its fault log line first (with everything undoing needs, so a
// killed runner can be cleaned up after), then apply, then confirm it is in place. The
// drill's clock starts at the first fault's apply: confirming can take a while (waiting
// for a Sentinel promotion).

export async function inject(run: DrillRun): Promise<void> {
  startLoad(run);
  await delay(run.drill.faultAfterMs, run.signal);
  for (const [i, spec] of run.drill.faults.entries()) await injectFault(run, spec, `${run.opts.runId}-${i + 1}`);
}

function startLoad(run: DrillRun): void {
  const { drill, env, opts } = run;
  const loadUrls = drill.load.instances ? drill.load.instances.map((n) => env.context.serviceUrls[n - 1]) : env.context.serviceUrls;
  if (loadUrls.some((u) => u === undefined)) throw new HarnessError(`load.instances names instance ${drill.load.instances!.join(', ')}, but context ${env.context.name} has ${env.context.serviceUrls.length}`);
  const plan = planLoad(drill.load, opts.seed, loadUrls.length);
  run.journal.load.planned = plan.length;
  opts.say(`  load: ${plan.length} hold attempts over ${drill.load.durationMs} ms (seed ${opts.seed}), faults after ${drill.faultAfterMs} ms`);
  run.loadRun = runLoad(
    plan,
    { serviceUrls: loadUrls as string[], seatIds: run.scope.seatIds, price: drill.load.price, poll: { forMs: drill.load.pollMs, intervalMs: drill.load.pollIntervalMs } },
    drill.load.concurrency,
    run.signal,
  );
  run.loadRun.catch(() => {}); // awaited later; an abort must not surface as unhandled
}

async function injectFault(run: DrillRun, spec: FaultSpec, faultId: string): Promise<void> {
  const { opts, faultEnv } = run;
  const kind = faultKind(spec.type);
  const record: FaultRecord = { faultId, description: kind.describe(spec), appliedAt: null, confirmed: null, reverted: null };
  run.journal.faults.push(record);
  const undo = await kind.prepare(faultEnv, spec, faultId);
  const entry: InjectRecord = { kind: 'inject', at: new Date().toISOString(), runId: opts.runId, drill: run.drill.name, faultId, spec, undo, runner: selfRunner() };
  appendFaultLog(opts.faultLog, entry);
  run.injected.push(entry);
  if (spec.type === 'poison-messages') run.scope.poisonKeys.push(...(undo.keys as string[]));
  opts.say(`  inject ${record.description}`);
  run.journal.timeline.injectedAt ??= Date.now();
  await kind.apply(faultEnv, spec, undo);
  record.appliedAt = new Date().toISOString();
  record.confirmed = await kind.confirm(faultEnv, spec, undo);
}
