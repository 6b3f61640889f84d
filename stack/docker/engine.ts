import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { OpsError, errorMessage, waitFor } from '../../lib/index.ts';
import type { StackPaths } from '../paths.ts';
import { readPidRecord, removePidRecord, writePidRecord } from '../supervisor/pidfile.ts';
import { isAlive, spawnDetached, stopProcess, type StopOutcome } from '../supervisor/process.ts';
import { logTail } from '../supervisor/managed.ts';
import { DEFAULT_DOCKER_SOCKET, dockerHostValue, parseDockerHost, type DockerEndpoint } from './docker-host.ts';

// The Docker engine the compose platform runs on (issue #11, item 1). Where one answers
// (DOCKER_HOST, else the default socket: a user's Docker Desktop, a CI runner's engine) it
// is used as it is. Where none does, the stack starts its own dockerd: data, exec root and
// socket under the stack folder, published ports on 127.0.0.1 by default (--ip), started
// and stopped by recorded PID like every other server of the stack. Clients of it are
// given DOCKER_HOST=unix://<stack>/run/docker.sock.
//
// The API client is dockerode: maintained, the one testcontainers itself builds on, and
// it speaks to unix and tcp endpoints alike (the CLI would tie every read to a parsed text
// format and to whichever client version a machine has).

export type EngineSource = 'DOCKER_HOST' | 'default socket' | 'stack';

export interface Engine {
  endpoint: DockerEndpoint;
  /** The DOCKER_HOST value for child processes (docker compose, testcontainers). */
  dockerHost: string;
  source: EngineSource;
  version: string;
  apiVersion: string;
}

export const ENGINE_NAME = 'docker';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

export interface EnginePaths {
  socket: string;
  dataRoot: string;
  execRoot: string;
  /** dockerd's own pid file (it refuses to start while one names a live process); ours is paths.pidFile('docker'). */
  nativePidFile: string;
}

export function enginePaths(paths: StackPaths): EnginePaths {
  return {
    socket: path.join(paths.run, 'docker.sock'),
    dataRoot: paths.dataDir('docker'),
    // containerd puts its own sockets under it: kept short (unix socket paths stop at 108 bytes).
    execRoot: path.join(paths.run, 'dx'),
    nativePidFile: path.join(paths.run, 'dockerd.native.pid'),
  };
}

export function dockerClient(e: DockerEndpoint, timeoutMs?: number): Docker {
  return new Docker(e.kind === 'unix' ? { socketPath: e.socketPath, timeout: timeoutMs } : { host: e.host, port: e.port, protocol: 'http', timeout: timeoutMs });
}

/** Whether the engine has this image (name:tag) locally. */
export const hasImage = (e: DockerEndpoint, name: string): Promise<boolean> =>
  dockerClient(e, 10_000)
    .getImage(name)
    .inspect()
    .then(
      () => true,
      () => false,
    );

/** The engine's version, or undefined when nothing answers there within timeoutMs. */
export async function engineVersion(e: DockerEndpoint, timeoutMs = 3000): Promise<{ version: string; apiVersion: string } | undefined> {
  if (e.kind === 'unix' && !existsSync(e.socketPath)) return undefined;
  try {
    const v = await dockerClient(e, timeoutMs).version();
    return { version: v.Version, apiVersion: v.ApiVersion };
  } catch {
    return undefined;
  }
}

async function answering(endpoint: DockerEndpoint, source: EngineSource): Promise<Engine | undefined> {
  const v = await engineVersion(endpoint);
  return v && { endpoint, dockerHost: dockerHostValue(endpoint), source, ...v };
}

/**
 * The engine to use, without starting one: DOCKER_HOST when set (and then only it: a user
 * who names an engine means that one, so one that does not answer is exit 1, not a quiet
 * switch to another), else the default socket, else the stack's own if it runs.
 */
export async function findEngine(paths: StackPaths, env: NodeJS.ProcessEnv = process.env): Promise<Engine | undefined> {
  if (env.DOCKER_HOST) {
    const named = await answering(parseDockerHost(env.DOCKER_HOST), 'DOCKER_HOST');
    if (named) return named;
    throw new OpsError(`No Docker engine answers at DOCKER_HOST=${env.DOCKER_HOST}.`, {
      code: 'DOCKER_UNREACHABLE',
      hint: 'Start that engine (Docker Desktop, `sudo systemctl start docker`, or `dockerd`), or unset DOCKER_HOST: then ticketctl uses the default socket or starts an engine of its own under the stack folder.',
    });
  }
  return (await answering({ kind: 'unix', socketPath: DEFAULT_DOCKER_SOCKET }, 'default socket')) ?? (await answering({ kind: 'unix', socketPath: enginePaths(paths).socket }, 'stack'));
}

/** The stack's own dockerd as recorded, if it is still the process we started. */
export function stackEngineRecord(paths: StackPaths) {
  const rec = readPidRecord(paths.pidFile(ENGINE_NAME));
  return rec && isAlive(rec) ? rec : undefined;
}

/** Starts the stack's own dockerd (the binary from provisioning) and waits until it answers. */
export async function startStackEngine(paths: StackPaths, dockerd: string): Promise<Engine> {
  const p = enginePaths(paths);
  for (const dir of [p.dataRoot, p.execRoot, paths.run]) mkdirSync(dir, { recursive: true });
  // Left by a dockerd that died (ours: we never start a second one): it would refuse to start.
  if (!stackEngineRecord(paths)) for (const stale of [p.socket, p.nativePidFile]) rmSync(stale, { force: true });
  const logFile = paths.logFile(ENGINE_NAME);
  const launched = await spawnDetached(
    ENGINE_NAME,
    {
      file: dockerd,
      args: ['--data-root', p.dataRoot, '--exec-root', p.execRoot, '--host', `unix://${p.socket}`, '--pidfile', p.nativePidFile, '--ip', '127.0.0.1', '--storage-driver', 'overlay2'],
    },
    logFile,
  );
  writePidRecord(paths.pidFile(ENGINE_NAME), launched.record);
  const endpoint: DockerEndpoint = { kind: 'unix', socketPath: p.socket };
  // A dockerd that exits (a bad flag, a port or bridge taken) ends the wait at once.
  const died = new AbortController();
  void launched.exited.then(({ code, signal }) => died.abort(new Error(`dockerd exited (${signal ?? `code ${code}`})`)));
  try {
    const v = await waitFor(() => engineVersion(endpoint), { timeoutMs: START_TIMEOUT_MS, intervalMs: 250, what: "the stack's dockerd to answer", signal: died.signal });
    return { endpoint, dockerHost: dockerHostValue(endpoint), source: 'stack', ...v };
  } catch (err) {
    await stopProcess(launched.record, STOP_TIMEOUT_MS).catch(() => 'not-running');
    removePidRecord(paths.pidFile(ENGINE_NAME));
    throw new OpsError(`The stack's Docker engine did not start: ${errorMessage(err)}.`, { code: 'DOCKER_START_FAILED', hint: `Its log (${logFile}) ends with:\n${logTail(paths, ENGINE_NAME)}` });
  }
}

/** Stops the stack's own dockerd by its recorded PID (never an engine it did not start). */
export async function stopStackEngine(paths: StackPaths): Promise<StopOutcome> {
  const rec = readPidRecord(paths.pidFile(ENGINE_NAME));
  if (!rec) return 'not-running';
  const outcome = await stopProcess(rec, STOP_TIMEOUT_MS);
  removePidRecord(paths.pidFile(ENGINE_NAME));
  return outcome;
}
