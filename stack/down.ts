import { rmSync } from 'node:fs';
import { silentProgress, type Progress } from '../lib/index.ts';
import { componentWaves } from './components/index.ts';
import { sentinelConfFile } from './components/sentinel.ts';
import type { StackContext } from './components/types.ts';
import { MAX_SERVICE_INSTANCES, SENTINEL_IDS } from '../contracts/index.ts';
import { runningRecord } from './supervisor/managed.ts';
import { removePidRecord } from './supervisor/pidfile.ts';
import { stopProcess, type StopOutcome } from './supervisor/process.ts';
import { ENGINE_NAME, dockerClient, enginePaths, stackEngineRecord, stopStackEngine } from './docker/engine.ts';

export interface DownReport {
  stopped: Array<{ name: string; outcome: StopOutcome }>;
  durationMs: number;
}

/**
 * Stops what the stack started, by recorded PID only, in reverse start order. Data stays;
 * Sentinel's self-rewritten configs go, so the next cold start begins from our layout.
 * Every service instance that has a live PID record is stopped, whatever the stack's
 * current instance count says (one left over from an interrupted scale-in included), and
 * the stack's own Docker engine if it started one.
 */
export async function stackDown(ctx: StackContext, options: { progress?: Progress; only?: string[] } = {}): Promise<DownReport> {
  const { progress = silentProgress, only } = options;
  const t0 = Date.now();
  const stopped: DownReport['stopped'] = [];
  for (const wave of componentWaves(ctx.topology, MAX_SERVICE_INSTANCES).reverse()) {
    const running = wave
      .filter((c) => !only || only.includes(c.name))
      .map((c) => ({ c, rec: runningRecord(ctx.paths, c) }))
      .filter((x) => x.rec !== undefined);
    if (running.length === 0) continue;
    await progress.step(`stop ${running.map((x) => x.c.name).join(', ')}`, () =>
      Promise.all(
        running.map(async ({ c, rec }) => {
          const outcome = await stopProcess(rec!, c.stopTimeoutMs);
          removePidRecord(ctx.paths.pidFile(c.name));
          stopped.push({ name: c.name, outcome });
        }),
      ),
    );
  }
  // The stack's own Docker engine (docker/engine.ts), last: nothing of the local stack runs on it.
  // Not while containers run on it: a compose deployment there is stopped by its own `stack down --platform compose`.
  if ((!only || only.includes(ENGINE_NAME)) && stackEngineRecord(ctx.paths) && !(await containersRun(ctx))) {
    const outcome = await progress.step("stop the stack's Docker engine", () => stopStackEngine(ctx.paths));
    stopped.push({ name: ENGINE_NAME, outcome });
  }
  const sentinels = componentWaves(ctx.topology)
    .flat()
    .filter((c) => c.group === 'sentinel');
  if (sentinels.every((c) => !runningRecord(ctx.paths, c))) {
    for (const id of SENTINEL_IDS) rmSync(ctx.paths.confFile(sentinelConfFile(id)), { force: true });
  }
  return { stopped, durationMs: Date.now() - t0 };
}

async function containersRun(ctx: StackContext): Promise<boolean> {
  const list = await dockerClient({ kind: 'unix', socketPath: enginePaths(ctx.paths).socket }, 10_000)
    .listContainers()
    .catch(() => []);
  return list.length > 0;
}
