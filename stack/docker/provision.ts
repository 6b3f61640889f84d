import { MissingToolError, silentProgress, type Progress } from '../../lib/index.ts';
import { aptInstall } from '../exec/apt.ts';
import { findExecutable } from '../exec/which.ts';
import type { StackPaths } from '../paths.ts';
import type { ProvisionStep } from '../provision/index.ts';
import { findEngine, startStackEngine, type Engine } from './engine.ts';

// What the compose platform needs on a machine without Docker: the engine from Debian
// (`docker.io`: dockerd, containerd, runc), installed only where no engine answers.
// (Compose v2 comes with the compose platform itself: built from the Go module proxy, since
// Debian ships only Compose v1.)

export function engineProvisionSteps(): ProvisionStep[] {
  if (findExecutable('dockerd')) return [];
  return [{ title: 'apt-get install docker.io (dockerd, containerd, runc)', run: () => aptInstall(['docker.io'], 'dockerd') }];
}

/**
 * The engine to use: one that answers (findEngine), else the stack's own, provisioned and
 * started here. Throws (exit 1) when DOCKER_HOST names an engine that does not answer.
 */
export async function ensureEngine(paths: StackPaths, progress: Progress = silentProgress, env: NodeJS.ProcessEnv = process.env): Promise<Engine> {
  const found = await findEngine(paths, env);
  if (found) return found;
  for (const step of engineProvisionSteps()) await progress.step(step.title, () => step.run());
  const dockerd = findExecutable('dockerd');
  if (!dockerd) throw new MissingToolError('dockerd', 'Install a Docker engine (`apt-get install docker.io`), or point DOCKER_HOST at one.');
  return progress.step(
    "start the stack's Docker engine",
    () => startStackEngine(paths, dockerd),
    (e) => `Docker ${e.version} (API ${e.apiVersion}) at ${e.dockerHost}`,
  );
}
