import { createWriteStream, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type Docker from 'dockerode';
import { OpsError, UsageError, errorMessage } from '../../lib/index.ts';
import { MAX_SERVICE_INSTANCES } from '../../contracts/index.ts';
import { allComponents, findComponent } from '../components/index.ts';
import type { StackContext } from '../components/types.ts';
import { compose, ensureCompose } from '../docker/compose.ts';
import { dockerClient, type Engine } from '../docker/engine.ts';
import { LABEL, SCALE_PROFILE, composeEnv, type ComposeProject } from './compose-project.ts';
import { nodeIdIn } from './local.ts';
import { unitLabel, type LogOptions, type Platform, type UnitRef, type UnitStatus, type VerbOptions } from './types.ts';

// The compose platform: the containers of one Docker Compose project, found by their
// compose labels (project and service), never by name. Two clients, each for what it does
// best: the compose CLI (Compose v2, stack/docker/compose.ts) for what needs the compose
// file's model (create and start services with their dependencies' health, profiles), and
// dockerode, the Engine API client testcontainers builds on, for what acts on one container
// (signals, pause, logs, exec, inspect), so nothing parses the CLI's text.

type ComposeRef = Extract<UnitRef, { platform: 'compose' }>;

/** How long `up --wait` waits for a service's healthcheck; brokers take the longest. */
const START_WAIT_S = 240;
const KAFKA_DATA = '/var/lib/kafka/data';

export function createComposePlatform(stack: StackContext, engine: Engine, project: ComposeProject): Platform {
  const t = stack.topology;
  const docker = dockerClient(engine.endpoint, 120_000);
  const known = allComponents(t, MAX_SERVICE_INSTANCES).map((c) => c.name);
  const check = (name: string) => {
    if (!known.includes(name)) throw new UsageError(`${name} is not a service of the stack.`, `Services: ${known.join(', ')}.`);
    return name;
  };
  const run = async (args: string[], timeoutMs = (START_WAIT_S + 60) * 1000, overrides: string[] = []) => {
    const bin = await ensureCompose(stack.paths);
    const files = [project.file, ...overrides].flatMap((f) => ['--file', f]);
    return compose(bin, engine, ['--project-name', project.project, ...files, '--profile', SCALE_PROFILE, ...args], { cwd: path.dirname(project.file), timeoutMs, env: composeEnv(stack.paths) });
  };
  const containers = async (service?: string) => docker.listContainers({ all: true, filters: { label: [`${LABEL.project}=${project.project}`, ...(service ? [`${LABEL.service}=${service}`] : [])] } });
  const refOf = (c: Docker.ContainerInfo): ComposeRef => ({ platform: 'compose', name: c.Labels[LABEL.service] ?? '?', containerId: c.Id });
  const idOf = (ref: UnitRef) => {
    if (ref.platform !== 'compose') throw new Error(`a ${ref.platform} unit handed to the compose platform`);
    return ref.containerId;
  };
  const inspect = (ref: UnitRef) =>
    docker
      .getContainer(idOf(ref))
      .inspect()
      .catch(() => undefined);

  /** A project with no container at all is a wrong name (or one never started): exit 2, not "not running". */
  const requireProject = async () => {
    if ((await containers()).length > 0) return;
    throw new UsageError(
      `Compose project "${project.project}" has no containers on the engine at ${engine.dockerHost}.`,
      `Start it with \`ticketctl stack up --platform compose\`, or name the project that runs (\`docker compose ls\`) in the context's compose.project.`,
    );
  };

  const platform: Platform = {
    kind: 'compose',
    where: `compose project ${project.project} (Docker ${engine.version} at ${engine.dockerHost})`,
    requireDeployed: requireProject,
    async names() {
      const running = new Set((await containers()).map((c) => c.Labels[LABEL.service]));
      // The long-running components, and the service instances that exist now.
      return allComponents(t, MAX_SERVICE_INSTANCES)
        .map((c) => c.name)
        .filter((n) => !n.startsWith('service-') || running.has(n));
    },
    async status(names) {
      const all = await containers();
      const wanted = names ?? (await platform.names());
      return wanted.map((name): UnitStatus => {
        const c = all.find((x) => x.Labels[LABEL.service] === name);
        if (!c) return { name, state: 'absent', health: null, ref: null, label: '-' };
        return {
          name,
          state: c.State === 'paused' ? 'paused' : c.State === 'running' ? 'running' : 'stopped',
          health: healthOf(c.Status),
          ref: refOf(c),
          label: unitLabel(refOf(c)),
        };
      });
    },
    async target(name) {
      await requireProject();
      const c = (await containers(check(name))).find((x) => x.State === 'running' || x.State === 'paused');
      if (!c) throw new OpsError(`${name} is not running in compose project ${project.project}.`, { code: 'NOT_RUNNING', hint: `Start it with \`ticketctl stack up --context compose --only ${name}\`.` });
      return refOf(c);
    },
    async start(names, o: VerbOptions = {}) {
      names.forEach(check);
      const step = () => run(['up', '--detach', '--no-deps', '--wait', '--wait-timeout', String(START_WAIT_S), ...names]);
      await (o.progress ? o.progress.step(`start ${names.join(', ')} (compose up --wait)`, step) : step());
      return { createdTopics: [] };
    },
    async stop(names, o: VerbOptions = {}) {
      names.forEach(check);
      // Compose gives each container its stop_grace_period, then SIGKILL.
      const step = () => run(['stop', ...names]);
      await (o.progress ? o.progress.step(`stop ${names.join(', ')} (compose stop)`, step) : step());
    },
    async restart(name, o = {}) {
      await platform.stop([name], o);
      await platform.start([name], o);
    },
    async kill(ref, signal) {
      await docker.getContainer(idOf(ref)).kill({ signal });
    },
    async pause(ref) {
      await docker.getContainer(idOf(ref)).pause();
    },
    async resume(ref) {
      const info = await inspect(ref);
      if (info?.State.Paused) await docker.getContainer(idOf(ref)).unpause();
    },
    async isRunning(ref) {
      return (await inspect(ref))?.State.Running === true;
    },
    async isPaused(ref) {
      return (await inspect(ref))?.State.Paused === true;
    },
    async restartWithSettings(name, settings, o = {}) {
      check(name);
      // The compose file plus an override that sets only this service's environment: compose
      // merges it and recreates the container; without it, the next up recreates it as the file says.
      const dir = mkdtempSync(path.join(tmpdir(), 'ticketctl-settings-'));
      const override = path.join(dir, 'settings.override.yml');
      writeFileSync(override, JSON.stringify({ services: { [name]: { environment: settings } } }));
      const step = () => run(['up', '--detach', '--no-deps', '--force-recreate', '--wait', '--wait-timeout', String(START_WAIT_S), name], undefined, Object.keys(settings).length ? [override] : []);
      try {
        await (o.progress ? o.progress.step(`recreate ${name} with ${Object.keys(settings).join(', ') || "the file's settings"} (compose up)`, step) : step());
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    async settingsOf(name, keys) {
      const c = (await containers(check(name))).find((x) => x.State === 'running');
      if (!c) return null;
      const env = (await docker.getContainer(c.Id).inspect()).Config.Env ?? [];
      const pairs = env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] as const);
      return Object.fromEntries(pairs.filter(([k]) => keys.includes(k)));
    },
    async scaleServices(count, o = {}) {
      const exists = new Set((await containers()).filter((c) => c.State === 'running' || c.State === 'paused').map((c) => c.Labels[LABEL.service]));
      const instances = Array.from({ length: MAX_SERVICE_INSTANCES }, (_, i) => `service-${i + 1}`);
      const start = instances.slice(0, count).filter((n) => !exists.has(n));
      const stop = instances.slice(count).filter((n) => exists.has(n));
      if (stop.length) {
        await platform.stop(stop, o);
        // Removed, not left exited: a stopped instance would still count as one in `compose ps`.
        await run(['rm', '--force', ...stop]);
      }
      if (start.length) await platform.start(start, o);
      return { started: start, stopped: stop };
    },
    async logs(name, o: LogOptions) {
      await requireProject();
      const c = (await containers(check(name)))[0];
      if (!c) throw new UsageError(`${name} has no container in compose project ${project.project}.`, 'Start the deployment first: `ticketctl stack up --context compose`.');
      const container = docker.getContainer(c.Id);
      if (!o.follow) {
        o.write(demux(await container.logs({ stdout: true, stderr: true, tail: o.lines, follow: false })));
        return;
      }
      const stream = await container.logs({ stdout: true, stderr: true, tail: o.lines, follow: true });
      const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (o.write(chunk.toString('utf8')), done()) });
      o.signal.addEventListener('abort', () => (stream as unknown as { destroy(): void }).destroy(), { once: true });
      await new Promise<void>((resolve) => {
        docker.modem.demuxStream(stream, sink, sink);
        stream
          .on('end', resolve)
          .on('close', resolve)
          .on('error', () => resolve());
      });
    },
    async brokerIdentity(name) {
      const ref = await platform.target(name);
      return nodeIdIn(await execText(docker, idOf(ref), ['cat', `${KAFKA_DATA}/meta.properties`]));
    },
    async backupBrokerData(names, file) {
      return archiveVolumes(docker, await containers(), names, file);
    },
    timeouts(name) {
      const c = findComponent(t, check(name))!;
      return { stopMs: c.stopTimeoutMs, startMs: START_WAIT_S * 1000 };
    },
  };
  return platform;
}

/** The engine's healthcheck verdict, from a container list entry's Status ("Up 3 minutes (healthy)"). */
export function healthOf(status: string): UnitStatus['health'] {
  const h = /\((healthy|unhealthy|health: starting)\)/.exec(status)?.[1];
  return h === 'health: starting' ? 'starting' : ((h as 'healthy' | 'unhealthy' | undefined) ?? null);
}

/** Docker's multiplexed log frames (8-byte header: stream, 0, 0, 0, length) as one text. */
export function demux(buf: Buffer): string {
  const parts: Buffer[] = [];
  let at = 0;
  while (at + 8 <= buf.length) {
    const size = buf.readUInt32BE(at + 4);
    parts.push(buf.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

/** Runs a command in a running container and returns its stdout (undefined when it fails). */
export async function execText(docker: Docker, containerId: string, cmd: string[]): Promise<string | undefined> {
  try {
    const exec = await docker.getContainer(containerId).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (chunks.push(chunk), done()) });
      docker.modem.demuxStream(stream, sink, new Writable({ write: (_c, _e, done) => done() }));
      stream.on('end', resolve).on('error', reject);
    });
    const { ExitCode } = await exec.inspect();
    return ExitCode === 0 ? Buffer.concat(chunks).toString('utf8') : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The brokers' data volumes as one tar.gz, made by a short-lived container of the broker
 * image that mounts them read-only (the brokers are stopped, so the copy is consistent).
 */
async function archiveVolumes(docker: Docker, all: Docker.ContainerInfo[], names: string[], file: string): Promise<number> {
  const binds: string[] = [];
  let image = '';
  for (const name of names) {
    const c = all.find((x) => x.Labels[LABEL.service] === name);
    const volume = c?.Mounts.find((m) => m.Destination === KAFKA_DATA && m.Type === 'volume')?.Name;
    if (!c || !volume)
      throw new OpsError(`${name} has no data volume at ${KAFKA_DATA} to back up.`, {
        code: 'BACKUP_FAILED',
        hint: "Run `ticketctl kafka recover-cluster` without --backup, or check the compose file's volumes.",
      });
    binds.push(`${volume}:/backup/${name}:ro`);
    image = c.Image;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  try {
    const helper = await docker.createContainer({
      Image: image,
      Entrypoint: ['tar', '--sparse', '-czf', '-', '-C', '/backup', ...names],
      HostConfig: { Binds: binds, NetworkMode: 'none' },
      AttachStdout: true,
      AttachStderr: true,
    });
    try {
      const stream = await helper.attach({ stream: true, stdout: true, stderr: true });
      const out = createWriteStream(file);
      const errors: Buffer[] = [];
      const done = new Promise<void>((resolve, reject) => {
        docker.modem.demuxStream(stream, out, new Writable({ write: (c: Buffer, _e, cb) => (errors.push(c), cb()) }));
        stream.on('end', resolve).on('error', reject);
      });
      await helper.start();
      const { StatusCode } = (await helper.wait()) as { StatusCode: number };
      await done;
      await new Promise<void>((resolve, reject) => out.end(() => resolve()).on('error', reject));
      if (StatusCode !== 0) throw new Error(`tar exited ${StatusCode}: ${Buffer.concat(errors).toString('utf8').trim().split('\n').slice(-2).join(' ')}`);
    } finally {
      await helper.remove({ force: true }).catch(() => {});
    }
  } catch (err) {
    throw new OpsError(`Could not archive the brokers' data volumes to ${file}: ${errorMessage(err)}`, {
      code: 'BACKUP_FAILED',
      hint: `Check free space under ${path.dirname(file)}. The brokers are stopped: start them with \`ticketctl stack up --context compose --only ${names.join(' ')}\`, or run \`ticketctl kafka recover-cluster\` without --backup.`,
      cause: err,
    });
  }
  return statSync(file).size;
}
