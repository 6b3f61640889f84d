import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { silentProgress, type Progress } from '../../lib/index.ts';
import { goInstall } from '../exec/go.ts';
import type { StackPaths } from '../paths.ts';
import type { Engine } from './engine.ts';

// Docker Compose v2, which the compose platform drives. Debian ships only Compose v1
// (1.29), so v2 is built from the Go module proxy once, and kept as the standalone binary
// `.stack/bin/docker-compose`, run directly rather than as a docker CLI plugin: nothing is
// written to the user's ~/.docker (their registry logins stay theirs), and it reads
// DOCKER_HOST as every Docker client does.

export const COMPOSE_MODULE = 'github.com/docker/compose/v2';
export const COMPOSE_VERSION = 'v2.32.4';

export const composeBin = (paths: StackPaths) => path.join(paths.bin, 'docker-compose');

/** The compose binary, built on first use (a few minutes of `go install`; skipped once there). */
export async function ensureCompose(paths: StackPaths, progress: Progress = silentProgress): Promise<string> {
  const bin = composeBin(paths);
  if (existsSync(bin)) return bin;
  await progress.step(`build Docker Compose ${COMPOSE_VERSION} with go install`, async () => {
    // `go install` names the binary after its folder (cmd): build aside, rename.
    const tmp = path.join(paths.bin, '.go-install-compose');
    mkdirSync(tmp, { recursive: true });
    // The version its own release build stamps in (else `version` says "dev").
    await goInstall(`${COMPOSE_MODULE}/cmd@${COMPOSE_VERSION}`, tmp, `-X ${COMPOSE_MODULE}/internal.Version=${COMPOSE_VERSION}`);
    renameSync(path.join(tmp, 'cmd'), bin);
    rmSync(tmp, { recursive: true, force: true });
  });
  return bin;
}

export interface ComposeRunOptions {
  cwd?: string;
  timeoutMs?: number;
  /** More variables for the compose file's interpolation (TICKETING_BASE_IMAGE...). */
  env?: Record<string, string>;
  /** Each line compose writes (its progress), as it comes. */
  onProgress?: (line: string) => void;
}

/** Runs `docker-compose <args>` against the engine; stdout, or the error with its stderr. */
export async function compose(bin: string, engine: Engine, args: string[], options: ComposeRunOptions = {}): Promise<string> {
  const child = execa(bin, args, { env: { ...options.env, DOCKER_HOST: engine.dockerHost }, cwd: options.cwd, timeout: options.timeoutMs ?? 300_000 });
  if (options.onProgress) {
    // BuildKit's plain progress comes on stdout or stderr depending on the command: both, by line.
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream?.on('data', (chunk: Buffer) => {
        const lines = (rest + chunk.toString('utf8')).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) options.onProgress!(line);
      });
    }
  }
  return (await child).stdout;
}
