import { randomUUID } from 'node:crypto';
import { errorMessage } from '../../lib/errors.ts';
import { delay } from '../../lib/wait.ts';
import { seedConcerts } from '../../service/store/index.ts';
import { TOPICS } from '../../contracts/topics.ts';
import { revertFaults } from '../cleanup.ts';
import { appendFaultLog, selfRunner, type InjectRecord } from '../fault-log.ts';
import { blastRadius, faultKind } from '../faults/index.ts';
import { FaultNotInEffect } from '../faults/types.ts';
import type { Drill } from '../format/types.ts';
import { checkInvariant, INVARIANTS } from '../invariants/index.ts';
import type { RunScope } from '../invariants/types.ts';
import { planLoad } from '../load/plan.ts';
import { acceptedPayments, runLoad, type OpResult } from '../load/run.ts';
import { runProbe } from '../probes/index.ts';
import { verdictOf, type CheckRecord, type DrillJournal, type FaultRecord } from '../report/journal.ts';
import { emptyTimeline, recoveryTimes } from '../timing.ts';
import type { DrillEnv } from './env.ts';
import { runTicketctl } from './runbook-steps.ts';
import { drained, steadyState, until } from './steady-state.ts';

// One drill, start to end. The order is the method of the drill format:
//   1. seed fresh seats; the steady-state hypothesis must hold (else nothing is injected)
//   2. start the seeded load; after faultAfterMs, inject each fault: fault log line first,
//      then apply, then confirm it is listed/in place
//   3. wait until a detect probe fails (the fault's effect observed: time to detect);
//      a fault that never shows is a harness error, the drill does not count
//   4. let the load finish and the observation window pass; check before-heal invariants
//   5. ROLLBACK, always (success, violation, error, Ctrl-C): revert every injected fault
//   6. the runbook steps (afterHeal), steady state regained, backlog drained (timing)
//   7. after-recovery invariants, from the systems of record
// It returns a journal instead of throwing; only Ctrl-C is rethrown, after the rollback.

export interface RunOptions {
  seed: number;
  runId: string;
  faultLog: string;
  signal?: AbortSignal;
  /** Progress lines for the operator. */
  say: (line: string) => void;
}

class HarnessError extends Error {}

export async function runDrill(env: DrillEnv, drill: Drill, o: RunOptions): Promise<DrillJournal> {
  const t0 = Date.now();
  const signal = o.signal;
  const checks: CheckRecord[] = [];
  const faults: FaultRecord[] = [];
  const injected: InjectRecord[] = [];
  const timeline = emptyTimeline();
  const journal: DrillJournal = {
    drill: drill.name,
    title: drill.title,
    report: drill.report,
    runId: o.runId,
    seed: o.seed,
    verdict: 'error',
    error: null,
    startedAt: new Date(t0).toISOString(),
    durationMs: 0,
    blastRadius: blastRadius(drill.faults),
    concertId: null,
    faults,
    checks,
    invariants: [],
    timeline,
    times: recoveryTimes(timeline),
    load: { planned: 0, holds: {}, payments: {}, accepted: 0, latency: {} },
  };
  const check = (name: string, ok: boolean, detail: string, since: number) => {
    checks.push({ name, ok, detail, ms: Date.now() - since });
    o.say(`  ${ok ? 'ok  ' : 'FAIL'} ${name}: ${detail}`);
  };
  const scope: RunScope = { runId: o.runId, drill, concertId: 0, seatIds: [], load: [], accepted: [], poisonKeys: [], dlqStart: [] };
  const fenv = env.faultEnv(o.runId);
  let loadRun: Promise<OpResult[]> | undefined;
  let aborted: unknown;

  try {
    // 1. Fresh seats and the steady-state hypothesis.
    const [concert] = await seedConcerts(env.db, { concerts: 1, seatsPerConcert: drill.load.seats, price: drill.load.price, namePrefix: `drill ${drill.name}` });
    Object.assign(scope, { concertId: concert!.concertId, seatIds: concert!.seatIds });
    journal.concertId = concert!.concertId;
    let since = Date.now();
    const before = await until(() => steadyState(env, drill, scope.concertId), drill.steadyState.withinMs, signal);
    check('steady state before the fault', before.ok, before.detail, since);
    if (!before.ok) throw new HarnessError(`the stack is not in steady state before the drill (${before.detail}); nothing was injected. Check \`ticketctl health\`.`);
    const dlqOffsets = await (await env.admin()).fetchTopicOffsets(TOPICS.paymentDlq);
    scope.dlqStart = dlqOffsets.map((p) => ({ partition: p.partition, offset: p.high }));
    const dlqBaseline = dlqOffsets.reduce((n, p) => n + BigInt(p.high), 0n);
    const probeEnv = env.probeEnv(async () => dlqBaseline, drill.steadyState.maxLag);

    // 2. Load, then the faults: logged before applied, confirmed after.
    const loadUrls = drill.load.instances ? drill.load.instances.map((n) => env.context.serviceUrls[n - 1]) : env.context.serviceUrls;
    if (loadUrls.some((u) => u === undefined)) throw new HarnessError(`load.instances names instance ${drill.load.instances!.join(', ')}, but context ${env.context.name} has ${env.context.serviceUrls.length}`);
    const plan = planLoad(drill.load, o.seed, loadUrls.length);
    journal.load.planned = plan.length;
    o.say(`  load: ${plan.length} hold attempts over ${drill.load.durationMs} ms (seed ${o.seed}), faults after ${drill.faultAfterMs} ms`);
    loadRun = runLoad(plan, { serviceUrls: loadUrls as string[], seatIds: scope.seatIds, price: drill.load.price }, drill.load.concurrency, signal);
    loadRun.catch(() => {}); // awaited below; an abort must not surface as unhandled
    await delay(drill.faultAfterMs, signal);
    for (const [i, spec] of drill.faults.entries()) {
      const kind = faultKind(spec.type);
      const faultId = `${o.runId}-${i + 1}`;
      const record: FaultRecord = { faultId, description: kind.describe(spec), appliedAt: null, confirmed: null, reverted: null };
      faults.push(record);
      const undo = await kind.prepare(fenv, spec, faultId);
      const entry: InjectRecord = { kind: 'inject', at: new Date().toISOString(), runId: o.runId, drill: drill.name, faultId, spec, undo, runner: selfRunner() };
      appendFaultLog(o.faultLog, entry);
      injected.push(entry);
      if (spec.type === 'poison-messages') scope.poisonKeys.push(...(undo.keys as string[]));
      o.say(`  inject ${record.description}`);
      timeline.injectedAt ??= Date.now(); // the first fault lands here; confirming can take a while (a Sentinel promotion)
      await kind.apply(fenv, spec, undo);
      record.appliedAt = new Date().toISOString();
      record.confirmed = await kind.confirm(fenv, spec, undo);
    }

    // 3. The fault must show itself on a probe.
    since = Date.now();
    const detected = await until(
      async () => {
        for (const p of drill.detect.probes) {
          const r = await runProbe(p, probeEnv);
          if (!r.ok) return { ok: true, detail: `${p} failed: ${r.detail}` };
        }
        return { ok: false, detail: `${drill.detect.probes.join(', ')} still pass` };
      },
      drill.detect.withinMs,
      signal,
      250,
    );
    if (detected.at !== null) {
      timeline.detectedAt = detected.at;
      timeline.detectedBy = detected.detail.split(' failed')[0]!;
    }
    check('fault detected by a probe', detected.ok, detected.detail, since);
    if (!detected.ok) throw new FaultNotInEffect(`the fault never showed: ${detected.detail} ${Math.round(drill.detect.withinMs / 1000)} s after injection, so the drill does not count`);

    // 3b. Mitigation: the runbook's response while the fault is still on; the symptom must go.
    if (drill.mitigate.steps.length) {
      for (const argv of drill.mitigate.steps) {
        const stepSince = Date.now();
        o.say(`  mitigate: ticketctl ${argv.join(' ')}`);
        const r = await runTicketctl(argv, env.context.name, process.env, signal);
        check(`mitigation step: ticketctl ${argv.join(' ')}`, r.exitCode === 0, `exit ${r.exitCode} in ${(r.ms / 1000).toFixed(1)} s: ${r.tail}`, stepSince);
      }
      since = Date.now();
      const mitigated = await until(
        async () => {
          const rs = await Promise.all(drill.detect.probes.map((p) => runProbe(p, probeEnv)));
          return { ok: rs.every((r) => r.ok), detail: rs.map((r) => `${r.name}: ${r.detail}`).join('; ') };
        },
        drill.mitigate.withinMs,
        signal,
      );
      timeline.mitigatedAt = mitigated.at;
      check('symptom gone after mitigation, fault still on', mitigated.ok, mitigated.detail, since);
    }

    // 4. Observation window, then what must hold while the fault is still on.
    scope.load = await loadRun;
    scope.accepted = acceptedPayments(scope.load);
    const remaining = (timeline.injectedAt ?? Date.now()) + drill.observeMs - Date.now();
    if (remaining > 0) await delay(remaining, signal);
    for (const name of drill.invariants.filter((n) => INVARIANTS[n].phase === 'before-heal')) {
      const r = await checkInvariant(name, env.invariantEnv(signal), scope);
      journal.invariants.push(r);
      o.say(`  ${r.status === 'pass' ? 'ok  ' : r.status.toUpperCase()} invariant ${name}: ${r.summary}`);
    }
  } catch (err) {
    if (signal?.aborted) aborted = err;
    journal.error = err instanceof HarnessError || err instanceof FaultNotInEffect ? err.message : `${errorMessage(err)}`;
  } finally {
    // 5. Rollback always runs, with no signal: Ctrl-C must not stop the undo.
    if (injected.length) {
      const reverts = await revertFaults(fenv, o.faultLog, injected, 'runner');
      for (const r of reverts) {
        const f = faults.find((x) => x.faultId === r.faultId);
        if (f) f.reverted = r.ok ? r.result : null;
        o.say(`  rollback: ${r.result}`);
        if (!r.ok) journal.error ??= `rollback failed: ${r.result}; run \`ticketctl drill cleanup\``;
      }
      timeline.healedAt = Date.now();
    }
  }
  if (loadRun && scope.load.length === 0) scope.load = await loadRun.catch(() => []);
  scope.accepted = acceptedPayments(scope.load);

  // 6-7. Recovery and invariants: only for a drill whose fault really ran.
  if (!journal.error && !aborted) {
    try {
      for (const argv of drill.afterHeal) {
        const since = Date.now();
        o.say(`  runbook: ticketctl ${argv.join(' ')}`);
        const r = await runTicketctl(argv, env.context.name, process.env, signal);
        check(`runbook step: ticketctl ${argv.join(' ')}`, r.exitCode === 0, `exit ${r.exitCode} in ${(r.ms / 1000).toFixed(1)} s: ${r.tail}`, since);
      }
      let since = Date.now();
      const steady = await until(() => steadyState(env, drill, scope.concertId), drill.recovery.steadyWithinMs, signal);
      timeline.steadyAt = steady.at;
      check('steady state regained after heal', steady.ok, steady.detail, since);
      since = Date.now();
      const done = await until(() => drained(env, drill, scope.accepted), drill.recovery.drainWithinMs, signal);
      timeline.drainedAt = done.at;
      check('backlog drained after heal', done.ok, done.detail, since);
      for (const name of drill.invariants.filter((n) => INVARIANTS[n].phase === 'after-recovery')) {
        const r = await checkInvariant(name, env.invariantEnv(signal), scope);
        journal.invariants.push(r);
        o.say(`  ${r.status === 'pass' ? 'ok  ' : r.status.toUpperCase()} invariant ${name}: ${r.summary}`);
      }
    } catch (err) {
      if (signal?.aborted) aborted = err;
      journal.error = errorMessage(err);
    }
  }

  const count = (xs: Array<{ status: number } | undefined>) => {
    const out: Record<string, number> = {};
    for (const x of xs) if (x) out[String(x.status)] = (out[String(x.status)] ?? 0) + 1;
    return out;
  };
  journal.load.latency = latencyByCall(scope.load);
  journal.load.holds = count(scope.load.map((r) => r.hold));
  journal.load.payments = count(scope.load.map((r) => r.payment));
  journal.load.accepted = scope.accepted.length;
  journal.times = recoveryTimes(timeline);
  journal.durationMs = Date.now() - t0;
  journal.verdict = verdictOf(journal);
  if (aborted) {
    (journal as DrillJournal & { interrupted?: boolean }).interrupted = true;
    throw Object.assign(aborted instanceof Error ? aborted : new Error(String(aborted)), { journal });
  }
  return journal;
}

/** Per call and status: how many, median and slowest answer (ms). */
function latencyByCall(load: OpResult[]): Record<string, { count: number; p50Ms: number; maxMs: number }> {
  const groups = new Map<string, number[]>();
  for (const op of load) {
    for (const [call, a] of [['hold', op.hold], ['payment', op.payment]] as const) {
      if (!a) continue;
      const key = `${call} ${a.status || 'no-answer'}`;
      groups.set(key, [...(groups.get(key) ?? []), a.ms]);
    }
  }
  return Object.fromEntries(
    [...groups].map(([k, ms]) => {
      const sorted = ms.sort((a, b) => a - b);
      return [k, { count: ms.length, p50Ms: sorted[Math.floor((sorted.length - 1) / 2)]!, maxMs: sorted.at(-1)! }];
    }),
  );
}

export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:T]/g, '').slice(0, 14)}-${randomUUID().slice(0, 6)}`;
}

