import path from 'node:path';
import { OpsError, errorMessage, silentProgress, type Progress } from '../../lib/index.ts';
import { DEFAULT_SERVICE_INSTANCES } from '../../contracts/index.ts';
import type { StackContext } from '../components/types.ts';
import { compose, ensureCompose } from '../docker/compose.ts';
import type { Engine } from '../docker/engine.ts';
import { buildEnv, buildImages, defaultBuildCa, missingImages } from '../docker/images.ts';
import type { BaseChoice } from '../docker/base-image.ts';
import { createComposePlatform } from './compose.ts';
import { SCALE_PROFILE, type ComposeProject } from './compose-project.ts';

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
  const missing = await missingImages(stack.paths, engine, project.file, project.project);
  if (missing.length) await buildImages(stack.paths, engine, project.file, project.project, { base: o.base ?? 'auto', buildCa, progress });

  const before = await platform.status();
  const wasRunning = before.filter((u) => u.state === 'running').map((u) => u.name);
  const targets = o.only ?? before.filter((u) => !u.name.startsWith('service-') || u.state !== 'absent').map((u) => u.name);
  const toStart = targets.filter((n) => !wasRunning.includes(n));
  const run = (args: string[], timeoutS = UP_WAIT_S + 60) =>
    compose(bin, engine, ['--project-name', project.project, '--file', project.file, ...args], { cwd: path.dirname(project.file), env: buildEnv('unused', null), timeoutMs: timeoutS * 1000 });
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
    const after = await platform.status().catch(() => []);
    const failed = after.filter((u) => targets.includes(u.name) && (u.health === 'unhealthy' || u.health === 'starting' || u.state !== 'running') && u.name !== 'kafka-init');
    const logs = await Promise.all(failed.slice(0, 3).map(async (u) => `--- ${u.name} (${u.state}${u.health ? `, ${u.health}` : ''}) ---\n${await lastLines(platform, u.name)}`));
    // Take back what this call started; what ran before stays as it was.
    const started = after.filter((u) => u.state !== 'absent' && !wasRunning.includes(u.name)).map((u) => u.name);
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
  return { started: toStart, alreadyRunning: wasRunning.filter((n) => targets.includes(n)), builtImages: missing, durationMs: Date.now() - t0 };
}

async function lastLines(platform: ReturnType<typeof createComposePlatform>, name: string): Promise<string> {
  let text = '';
  await platform.logs(name, { lines: 15, follow: false, signal: new AbortController().signal, write: (c) => (text += c) }).catch(() => {});
  return text.trimEnd() || '(empty log)';
}

/** Stops and removes the project's containers and network (service instances of every profile too); volumes stay unless asked. */
export async function composeDown(stack: StackContext, engine: Engine, project: ComposeProject, o: { volumes?: boolean; progress?: Progress } = {}): Promise<string[]> {
  const platform = createComposePlatform(stack, engine, project);
  const present = (await platform.status()).filter((u) => u.state !== 'absent').map((u) => u.name);
  const bin = await ensureCompose(stack.paths);
  const step = () =>
    compose(bin, engine, ['--project-name', project.project, '--file', project.file, '--profile', SCALE_PROFILE, 'down', '--remove-orphans', ...(o.volumes ? ['--volumes'] : [])], {
      cwd: path.dirname(project.file),
      env: buildEnv('unused', null),
      timeoutMs: 180_000,
    });
  await (o.progress ?? silentProgress).step(`compose down ${project.project}${o.volumes ? ' (and its volumes)' : ''}`, step);
  return present;
}
