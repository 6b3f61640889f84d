import { OpsError, PortInUseError, StartupError, errorMessage, silentProgress, type Progress, waitFor } from '../lib/index.ts';
import { componentWaves } from './components/index.ts';
import { writeKafkaLogConfigs } from './components/kafka.ts';
import { ensureDatabases } from './components/mariadb.ts';
import { ensureProxies } from './components/toxiproxy.ts';
import type { Component, RunContext, StackContext } from './components/types.ts';
import { ensureTopics } from './kafka-topics.ts';
import { pendingProvisionSteps, resolveTools } from './provision/index.ts';
import { readServiceInstances } from './service-instances.ts';
import { logTail, runningRecord } from './supervisor/managed.ts';
import { removePidRecord, writePidRecord, type PidRecord } from './supervisor/pidfile.ts';
import { isPortFree } from './supervisor/ports.ts';
import { tcpPortOwner } from './supervisor/proc.ts';
import { spawnDetached, stopProcess } from './supervisor/process.ts';

export interface UpReport {
  started: string[];
  alreadyRunning: string[];
  provisioned: string[];
  createdProxies: string[];
  createdTopics: string[];
  durationMs: number;
}

export interface UpOptions {
  progress?: Progress;
  signal?: AbortSignal;
  /** Start only these components (by name); default all. Used by runbooks and drills. */
  only?: string[];
}

/**
 * Brings the stack up: provisions what is missing, starts every component that is not
 * running, waits until each answers a real request, then ensures proxies, databases and
 * topics. Idempotent. If anything fails, the processes this call started are stopped
 * again, so a failed `up` leaves nothing half-started.
 */
export async function stackUp(ctx: StackContext, options: UpOptions = {}): Promise<UpReport> {
  const { progress = silentProgress, signal, only } = options;
  const t0 = Date.now();
  const waves = componentWaves(ctx.topology, readServiceInstances(ctx.paths)).map((wave) => wave.filter((c) => !only || only.includes(c.name)));
  const all = waves.flat();
  const alreadyRunning = all.filter((c) => runningRecord(ctx.paths, c)).map((c) => c.name);
  const toStart = new Set(all.filter((c) => !alreadyRunning.includes(c.name)).map((c) => c.name));

  await checkPortsFree(all.filter((c) => toStart.has(c.name)));

  const steps = toStart.size > 0 ? pendingProvisionSteps(ctx.paths) : [];
  for (const step of steps) await progress.step(step.title, () => step.run());

  const run: RunContext = { ...ctx, ...resolveTools(ctx.paths) };
  writeKafkaLogConfigs(ctx);
  const started: PidRecord[] = [];
  const createdProxies: string[] = [];
  const createdTopics: string[] = [];
  // What the next waves need from this one, made sure of right after it (idempotent).
  const afterWave: Partial<Record<string, () => Promise<void>>> = {
    toxiproxy: async () => {
      createdProxies.push(
        ...(await progress.step(
          'ensure Toxiproxy proxies',
          () => ensureProxies(ctx.topology),
          (n) => (n.length ? `created ${n.join(', ')}` : 'all present'),
        )),
      );
    },
    mariadb: () => progress.step('ensure databases and users', () => ensureDatabases(ctx)),
    kafka: async () => {
      const o = await progress.step(
        'ensure Kafka topics',
        () => ensureTopics(ctx.topology),
        (r) => (r.created.length ? `created ${r.created.join(', ')}` : 'all present'),
      );
      createdTopics.push(...o.created);
    },
  };
  try {
    for (const wave of waves) {
      const todo = wave.filter((c) => toStart.has(c.name));
      if (todo.length > 0) {
        await progress.step(`start ${todo.map((c) => c.name).join(', ')}`, () => Promise.all(todo.map((c) => startComponent(run, c, started, signal))));
      }
      for (const group of new Set(wave.map((c) => c.group))) await afterWave[group]?.();
    }
    return { started: started.map((r) => r.name), alreadyRunning, provisioned: steps.map((s) => s.title), createdProxies, createdTopics, durationMs: Date.now() - t0 };
  } catch (err) {
    await rollback(ctx, started);
    throw err;
  }
}

async function checkPortsFree(components: Component[]): Promise<void> {
  const conflicts: Array<{ port: number; purpose: string; owner: string | undefined }> = [];
  for (const c of components) {
    for (const { port, purpose } of c.ports) {
      if (!(await isPortFree(port))) conflicts.push({ port, purpose, owner: tcpPortOwner(port) });
    }
  }
  const first = conflicts[0];
  if (!first) return;
  const others = conflicts.slice(1).map((x) => `${x.port} (${x.purpose}${x.owner ? `, ${x.owner}` : ''})`);
  throw new PortInUseError(
    first.port,
    first.purpose,
    first.owner,
    `Stop ${first.owner ?? 'the process holding it'}, or move the stack with TICKETCTL_PORT_OFFSET (ports live in contracts/topology.ts).` +
      (others.length ? ` Also taken: ${others.join(', ')}.` : '') +
      ' Nothing was started.',
  );
}

async function startComponent(ctx: RunContext, c: Component, started: PidRecord[], signal: AbortSignal | undefined): Promise<void> {
  try {
    await c.prepare(ctx);
  } catch (err) {
    if (err instanceof OpsError) throw err;
    throw new StartupError(c.name, `could not prepare its config or data folder: ${errorMessage(err)}`, `Check ${ctx.paths.root} (disk space, permissions), then run \`ticketctl stack up\` again.`, err);
  }
  const launched = await spawnDetached(c.name, c.launch(ctx), ctx.paths.logFile(c.name));
  writePidRecord(ctx.paths.pidFile(c.name), launched.record);
  started.push(launched.record);
  // Stop waiting the moment the process dies: its log says why, no need to time out.
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const died = new AbortController();
  void launched.exited.then((e) => {
    exit = e;
    died.abort(new Error('exited'));
  });
  const hint = `Read its log: \`ticketctl stack logs ${c.name}\` (${ctx.paths.logFile(c.name)}).`;
  try {
    await waitFor(
      async () => {
        const r = await (c.ready ?? c.probe)(ctx);
        if (!r.answers) throw new Error(r.detail);
        return r;
      },
      { timeoutMs: c.startTimeoutMs, intervalMs: 300, what: `${c.name} to answer`, signal: signal ? AbortSignal.any([signal, died.signal]) : died.signal },
    );
  } catch (err) {
    if (signal?.aborted) throw err;
    const why = exit ? `exited (${exit.signal ?? `code ${exit.code}`}) before answering` : `did not answer within ${c.startTimeoutMs / 1000} s`;
    throw new StartupError(c.name, `${why}. Last log lines:\n${logTail(ctx.paths, c.name)}`, hint, err);
  }
}

async function rollback(ctx: StackContext, started: PidRecord[]): Promise<void> {
  for (const rec of [...started].reverse()) {
    await stopProcess(rec, 15_000).catch(() => {});
    removePidRecord(ctx.paths.pidFile(rec.name));
  }
}
