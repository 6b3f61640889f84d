import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { OpsError, errorMessage, silentProgress, type Progress } from '../../lib/index.ts';
import { aptInstall } from '../exec/apt.ts';
import { findExecutable } from '../exec/which.ts';
import { dockerClient, hasImage, type Engine } from './engine.ts';

// The Debian base every image of docker-compose.yml builds FROM (images/*/Dockerfile,
// ARG BASE_IMAGE). Where a registry is reachable it is the usual debian:bookworm-slim; where
// none is (this project's CI machines, an air-gapped site) the same Debian release is made
// here with debootstrap from the machine's own Debian mirror and imported into the engine.
// Either way the Dockerfiles are the same: the base is the one switch.

export const REGISTRY_BASE = 'debian:bookworm-slim';
export const LOCAL_BASE = 'ticketing-base/debian:bookworm';
export type BaseChoice = 'auto' | 'registry' | 'local';
export const BASE_CHOICES: readonly BaseChoice[] = ['auto', 'registry', 'local'];

const DEFAULT_MIRROR = 'http://deb.debian.org/debian';
const PULL_TIMEOUT_MS = 60_000;

/** The base image to build on, made or pulled if need be. `auto`: present, else pulled, else made locally. */
export async function ensureBaseImage(engine: Engine, choice: BaseChoice, progress: Progress = silentProgress): Promise<string> {
  if (choice !== 'local') {
    if (await hasImage(engine.endpoint, REGISTRY_BASE)) return REGISTRY_BASE;
    const pulled = await progress
      .step(`pull ${REGISTRY_BASE}`, () => pull(engine, REGISTRY_BASE))
      .catch((err: unknown) => {
        if (choice === 'registry')
          throw new OpsError(`Cannot pull ${REGISTRY_BASE}: ${errorMessage(err)}`, {
            code: 'PULL_FAILED',
            hint: 'Check the engine can reach its registry (proxy, login), or build on a base made here: `--base local`.',
            cause: err,
          });
        return false;
      });
    if (pulled !== false) return REGISTRY_BASE;
  }
  if (await hasImage(engine.endpoint, LOCAL_BASE)) return LOCAL_BASE;
  await progress.step(`make ${LOCAL_BASE} with debootstrap (about a minute)`, () => makeLocalBase(engine));
  return LOCAL_BASE;
}

async function pull(engine: Engine, name: string): Promise<true> {
  const docker = dockerClient(engine.endpoint, PULL_TIMEOUT_MS);
  const stream = await docker.pull(name);
  await new Promise((resolve, reject) => docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve(undefined))));
  return true;
}

/** The mirror this machine's apt uses (deb822 or one-line sources), so debootstrap needs no other network. */
export function aptMirror(sources: string[]): string {
  for (const text of sources) {
    const m = /^URIs:\s*(\S+)/m.exec(text) ?? /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+\S+\s+main/m.exec(text);
    if (m && !/security/.test(m[1]!)) return m[1]!;
  }
  return DEFAULT_MIRROR;
}

function readSources(): string[] {
  const files = ['/etc/apt/sources.list', '/etc/apt/sources.list.d/debian.sources'];
  return files.flatMap((f) => {
    try {
      return [readFileSync(f, 'utf8')];
    } catch {
      return [];
    }
  });
}

async function makeLocalBase(engine: Engine): Promise<void> {
  if (!findExecutable('debootstrap', ['/usr/sbin'])) await aptInstall(['debootstrap'], 'debootstrap');
  const debootstrap = findExecutable('debootstrap', ['/usr/sbin'])!;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ticketing-base-'));
  try {
    await execa(debootstrap, ['--variant=minbase', 'bookworm', dir, aptMirror(readSources())], { timeout: 15 * 60_000 });
    // What debian:bookworm-slim also leaves out: downloaded packages and package lists.
    await execa('sh', ['-c', `rm -rf "${dir}"/var/cache/apt/archives/*.deb "${dir}"/var/lib/apt/lists/*`]);
    const tar = execa('tar', ['-C', dir, '-c', '.'], { encoding: 'buffer', maxBuffer: Infinity });
    const docker = dockerClient(engine.endpoint, 300_000);
    const [repo, tag] = LOCAL_BASE.split(':') as [string, string];
    const stream = await docker.importImage(tar.stdout, { repo, tag });
    await new Promise((resolve, reject) => docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve(undefined))));
    await tar;
  } catch (err) {
    throw new OpsError(`Could not make the Debian base image ${LOCAL_BASE}: ${errorMessage(err).split('\n').slice(-3).join(' ')}`, {
      code: 'BASE_IMAGE_FAILED',
      hint: 'debootstrap needs root and the Debian mirror apt uses; or build on a registry base: `--base registry`.',
      cause: err,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
