import { existsSync } from 'node:fs';
import path from 'node:path';
import { OpsError, errorMessage, silentProgress, type Progress } from '../../lib/index.ts';
import type { StackPaths } from '../paths.ts';
import { ensureBaseImage, type BaseChoice } from './base-image.ts';
import { compose, ensureCompose } from './compose.ts';
import { hasImage, type Engine } from './engine.ts';

// Building the images docker-compose.yml names (images/<name>/Dockerfile), through
// `compose build`: BuildKit, so layers are cached between builds and unchanged images
// take seconds; the Debian base is chosen by ensureBaseImage; a CA bundle for builds
// behind a TLS-inspecting proxy goes in as the BuildKit secret build_ca, never into a layer.

export interface ImageBuildOptions {
  base: BaseChoice;
  /** A PEM bundle the builds trust, or null for the images' own trust. */
  buildCa: string | null;
  noCache?: boolean;
  progress?: Progress;
  /** Each line of BuildKit's progress. */
  onLine?: (line: string) => void;
}

/** The host's system bundle, when it has one: what a machine behind an inspecting proxy already trusts. */
export const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
export const defaultBuildCa = () => (existsSync(SYSTEM_CA_BUNDLE) ? SYSTEM_CA_BUNDLE : null);

/** The compose variables that choose the base and the CA bundle (docker-compose.yml, x-build). */
export const buildEnv = (base: string, buildCa: string | null) => ({ TICKETING_BASE_IMAGE: base, TICKETING_BUILD_CA: buildCa ?? '/dev/null' });

export async function buildImages(paths: StackPaths, engine: Engine, composeFile: string, project: string, o: ImageBuildOptions): Promise<{ base: string; images: string[]; durationMs: number }> {
  const progress = o.progress ?? silentProgress;
  const t0 = Date.now();
  const bin = await ensureCompose(paths, progress);
  const base = await ensureBaseImage(engine, o.base, progress);
  const tail: string[] = [];
  const args = ['--project-name', project, '--file', composeFile, '--profile', 'scale', '--progress', 'plain', 'build', ...(o.noCache ? ['--no-cache'] : [])];
  try {
    await progress.step(`build the images on ${base} (compose build)`, () =>
      compose(bin, engine, args, {
        cwd: path.dirname(composeFile),
        env: buildEnv(base, o.buildCa),
        timeoutMs: 60 * 60_000,
        onProgress: (line) => {
          tail.push(line);
          if (tail.length > 40) tail.shift();
          o.onLine?.(line);
        },
      }),
    );
  } catch (err) {
    // BuildKit names the failing stage as "[<service> <stage> n/m]"; that service is the image.
    const failed = [...tail].reverse().find((l) => /ERROR|failed to solve/.test(l)) ?? errorMessage(err).split('\n').slice(-1)[0];
    const service = failedService(tail);
    throw new OpsError(`Building the images failed${service ? ` at ${service}'s image` : ''}: ${failed}`, {
      code: 'IMAGE_BUILD_FAILED',
      hint: `The last lines of the build:\n${tail.slice(-12).join('\n')}\nFix that and run the command again; finished layers are cached.`,
      cause: err,
    });
  }
  return { base, images: await composeImages(bin, engine, composeFile, project), durationMs: Date.now() - t0 };
}

/** The image names the compose file uses. */
export async function composeImages(bin: string, engine: Engine, composeFile: string, project: string): Promise<string[]> {
  const out = await compose(bin, engine, ['--project-name', project, '--file', composeFile, '--profile', 'scale', 'config', '--images'], { cwd: path.dirname(composeFile) });
  return [...new Set(out.split('\n').filter(Boolean))].sort();
}

/** Images the compose file names that the engine does not have yet. */
export async function missingImages(paths: StackPaths, engine: Engine, composeFile: string, project: string): Promise<string[]> {
  const bin = await ensureCompose(paths);
  const names = await composeImages(bin, engine, composeFile, project);
  const present = await Promise.all(names.map((n) => hasImage(engine.endpoint, n)));
  return names.filter((_, i) => !present[i]);
}

/** The service whose image failed, from BuildKit's plain progress: its error summary (" > [svc 2/3] RUN ..."), else the last step it ran ("#7 [svc 2/3] ..."). */
export function failedService(lines: string[]): string | undefined {
  const named = (re: RegExp) =>
    [...lines]
      .reverse()
      .map((l) => re.exec(l)?.[1])
      .find((x) => x !== undefined);
  return named(/^\s*> \[([a-z0-9_-]+)[ \]]/) ?? named(/^#\d+ \[([a-z0-9_-]+)[ \]]/);
}
