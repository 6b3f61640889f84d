import { OpsError } from '../../lib/index.ts';
import type { StackContext } from '../components/types.ts';
import { findEngine } from '../docker/engine.ts';
import { createComposePlatform } from './compose.ts';
import type { ComposeProject } from './compose-project.ts';
import { createLocalPlatform } from './local.ts';
import type { Platform } from './types.ts';

// The platform a context names (clients/context.ts: `platform`), made on first use.

export type PlatformSpec = { kind: 'local' } | ({ kind: 'compose' } & ComposeProject);

export async function createPlatform(stack: StackContext, spec: PlatformSpec): Promise<Platform> {
  if (spec.kind === 'local') return createLocalPlatform(stack);
  const engine = await findEngine(stack.paths);
  if (!engine)
    throw new OpsError('No Docker engine answers: not at DOCKER_HOST (unset), not at the default socket /var/run/docker.sock, and the stack runs none of its own.', {
      code: 'DOCKER_UNREACHABLE',
      hint: "Set DOCKER_HOST to your engine (Docker Desktop, a CI runner's), start one (`sudo systemctl start docker`), or let ticketctl start its own with `ticketctl stack up --platform compose`.",
    });
  return createComposePlatform(stack, engine, spec);
}

export { createComposePlatform } from './compose.ts';
export { COMPOSE_PROJECT_NAME, DEFAULT_COMPOSE_PROJECT, LABEL as COMPOSE_LABEL, SCALE_PROFILE, composeEnv, type ComposeProject } from './compose-project.ts';
export { createLocalPlatform } from './local.ts';
export { PLATFORM_KINDS, pidOf, unitLabel, type Platform, type PlatformKind, type UnitRef, type UnitStatus } from './types.ts';
