import path from 'node:path';
import { OpsError, errorMessage, silentProgress, type Progress } from '../../lib/index.ts';
import { DEFAULT_SERVICE_INSTANCES } from '../../contracts/index.ts';
import type { StackContext } from '../components/types.ts';
import { compose, ensureCompose } from '../docker/compose.ts';
import { dockerClient, type Engine } from '../docker/engine.ts';
import { buildImages, defaultBuildCa, missingImages } from '../docker/images.ts';
import { ensureCredentials } from '../credentials/index.ts';
import type { BaseChoice } from '../docker/base-image.ts';
import { createComposePlatform, demux, execText, healthOf } from './compose.ts';
import { LABEL, SCALE_PROFILE, composeEnv, type ComposeProject } from './compose-project.ts';

// `stack up` and `stack down` of the compose platform: the whole deployment of the compose
// file, as `docker compose up --wait` / `down` would, plus what a person would otherwise do
// by hand: build the images that are missing, and when a service fails its healthcheck,
// say which one with the end of its log and take back what this call started.

export interface ComposeUpOptions {
  only?: string[];
  progress?: Progress;
  base?: BaseChoice;
  buildCa?: string | null;
}

export interface ComposeUpReport {
  started: string[];
  alreadyRunning: string[];
  builtImages: string[];
  durationMs: number;
}

const UP_WAIT_S = 420;

export async function composeUp(stack: StackContext, engine: Engine, project: ComposeProject, o: ComposeUpOptions = {}): Promise<ComposeUpReport> {
  const progress = o.progress ?? silentProgress;
  const t0 = Date.now();
  const platform = createComposePlatform(stack, engine, project);
  const bin = await ensureCompose(stack.paths, progress);
  const buildCa = o.buildCa === undefined ? defaultBuildCa() : o.buildCa;
  // The stack's secrets, made on the first up (as the local stack's), before any container needs them.
  ensureCredentials(stack.paths);
  const missing = await missingImages(stack.paths, engine, project.file, project.project);
  if (missing.length) await buildImages(stack.paths, engine, project.file, project.project, { base: o.base ?? 'auto', buildCa, progress });

  const before = await platform.status();
  // The project's own containers, whatever its services are called (a user's compose file too).
  const wasRunning = (await projectUnits(engine, project.project)).filter((u) => u.state === 'running').map((u) => u.name);
  const toStart = (o.only ?? before.filter((u) => !u.name.startsWith('service-') || u.state !== 'absent').map((u) => u.name)).filter((n) => !wasRunning.includes(n));
  const run = (args: string[], timeoutS = UP_WAIT_S + 60) =>
    compose(bin, engine, ['--project-name', project.project, '--file', project.file, ...args], { cwd: path.dirname(project.file), env: composeEnv(stack.paths), timeoutMs: timeoutS * 1000 });
  try {
    // Always `compose up` the whole file: it is idempotent and recreates what changed since
    // (a new image, an edited service), which a check of "running" alone would miss.
    if (toStart.length || !o.only)
      await progress.step(`compose up ${o.only ? o.only.join(' ') : project.project} and wait for every healthcheck`, async () => {
        if (o.only) return run(['up', '--detach', '--wait', '--wait-timeout', String(UP_WAIT_S), '--no-deps', ...o.only]);
        await run(['up', '--detach', '--wait', '--wait-timeout', String(UP_WAIT_S)]);
        // Instances a `consumers scale` added (the scale profile) come back too.
        const extra = toStart.filter((n) => n.startsWith('service-') && Number(n.slice('service-'.length)) > DEFAULT_SERVICE_INSTANCES);
        if (extra.length) await run(['up', '--detach', '--wait', '--wait-timeout', String(UP_WAIT_S), '--no-deps', ...extra]);
        return '';
      });
  } catch (err) {
    const after = await projectUnits(engine, project.project).catch(() => []);
    const failed = after.filter((u) => (o.only ? o.only.includes(u.name) : true) && (u.health === 'unhealthy' || u.health === 'starting' || u.state !== 'running') && !u.exitedCleanly);
    const logs = await Promise.all(failed.slice(0, 3).map(async (u) => `--- ${u.name} (${u.state}${u.health ? `, ${u.health}` : ''}) ---\n${await lastLines(engine, u.id)}`));
    // Take back what this call started; what ran before stays as it was.
    const started = after.filter((u) => !wasRunning.includes(u.name)).map((u) => u.name);
    if (started.length) {
      await progress.step(`roll back: stop and remove ${started.join(', ')}`, async () => {
        await run(['--profile', SCALE_PROFILE, 'stop', ...started]).catch(() => '');
        await run(['--profile', SCALE_PROFILE, 'rm', '--force', ...started]).catch(() => '');
      });
    }
    const names = failed.map((u) => u.name).join(', ') || 'a service';
    throw new OpsError(`The compose deployment did not come up: ${names} failed its healthcheck or exited (${errorMessage(err).split('\n').filter(Boolean).slice(-1)[0]}).`, {
      code: 'COMPOSE_UP_FAILED',
      hint: `${logs.join('\n') || '(no container log)'}\n${started.length ? `Rolled back: ${started.join(', ')}. ` : ''}Fix the cause and run \`ticketctl stack up --platform compose\` again.`,
      cause: err,
    });
  }
  await ensureDatabaseAccounts(engine, project, progress);
  const runningNow = (await projectUnits(engine, project.project)).filter((u) => u.state === 'running').map((u) => u.name);
  return { started: runningNow.filter((n) => !wasRunning.includes(n)), alreadyRunning: wasRunning, builtImages: missing, durationMs: Date.now() - t0 };
}

/**
 * init.sql runs once, on an empty data volume; a deployment whose volume predates an
 * account (ticketctl's least-privilege ones came later) gets it here, on every up: the file
 * is idempotent (CREATE ... IF NOT EXISTS, GRANT), run over the container's socket as its
 * own user, as the healthcheck connects.
 */
async function ensureDatabaseAccounts(engine: Engine, project: ComposeProject, progress: Progress): Promise<void> {
  const mariadb = (await projectUnits(engine, project.project)).find((u) => u.name === 'mariadb' && u.state === 'running');
  if (!mariadb) return; // `--only` without it: nothing to do now
  await progress.step('ensure the databases and accounts (init.sql)', async () => {
    const out = await execText(dockerClient(engine.endpoint, 60_000), mariadb.id, ['mariadb', '--protocol=socket', '-e', 'source /docker-entrypoint-initdb.d/init.sql']);
    if (out === undefined)
      throw new OpsError('The compose deployment is up, but init.sql could not be applied in the mariadb container.', {
        code: 'COMPOSE_DB_ACCOUNTS',
        hint: 'Run `docker compose exec mariadb mariadb --protocol=socket -e "source /docker-entrypoint-initdb.d/init.sql"` to see why, then `ticketctl stack up --platform compose` again.',
      });
  });
}

/** The last lines of a container's log (stdout and stderr). */
async function lastLines(engine: Engine, containerId: string): Promise<string> {
  const buf = await dockerClient(engine.endpoint, 30_000)
    .getContainer(containerId)
    .logs({ stdout: true, stderr: true, tail: 15, follow: false })
    .catch(() => Buffer.alloc(0));
  return demux(buf).trimEnd() || '(empty log)';
}

/** Stops and removes the project's containers and network (service instances of every profile too); volumes stay unless asked. */
export async function composeDown(stack: StackContext, engine: Engine, project: ComposeProject, o: { volumes?: boolean; progress?: Progress } = {}): Promise<string[]> {
  const platform = createComposePlatform(stack, engine, project);
  const present = (await platform.status()).filter((u) => u.state !== 'absent').map((u) => u.name);
  const bin = await ensureCompose(stack.paths);
  const step = () =>
    compose(bin, engine, ['--project-name', project.project, '--file', project.file, '--profile', SCALE_PROFILE, 'down', '--remove-orphans', ...(o.volumes ? ['--volumes'] : [])], {
      cwd: path.dirname(project.file),
      env: composeEnv(stack.paths),
      timeoutMs: 180_000,
    });
  await (o.progress ?? silentProgress).step(`compose down ${project.project}${o.volumes ? ' (and its volumes)' : ''}`, step);
  return present;
}

interface ProjectUnit {
  id: string;
  name: string;
  state: string;
  health: 'healthy' | 'unhealthy' | 'starting' | null;
  /** A one-shot service that finished with exit 0 (kafka-init): not a failure. */
  exitedCleanly: boolean;
}

async function projectUnits(engine: Engine, project: string): Promise<ProjectUnit[]> {
  const list = await dockerClient(engine.endpoint, 30_000).listContainers({ all: true, filters: { label: [`${LABEL.project}=${project}`] } });
  return list.map((c) => {
    return {
      id: c.Id,
      name: c.Labels[LABEL.service] ?? c.Names[0] ?? c.Id,
      state: c.State,
      health: healthOf(c.Status),
      exitedCleanly: c.State === 'exited' && /^Exited \(0\)/.test(c.Status),
    };
  });
}
