import path from 'node:path';
import { REPO_ROOT } from '../../contracts/index.ts';
import type { StackPaths } from '../paths.ts';

// Which compose deployment a context names: the project (its containers carry the label
// com.docker.compose.project=<project>) and the compose file that defines it. The built-in
// `compose` context is the repository's own docker-compose.yml, project `ticketing`.

export interface ComposeProject {
  project: string;
  file: string;
}

export const DEFAULT_COMPOSE_PROJECT: ComposeProject = { project: 'ticketing', file: path.join(REPO_ROOT, 'docker-compose.yml') };

/** Compose's own rule for project names: lowercase letters, digits, dashes and underscores, starting with a letter or digit. */
export const COMPOSE_PROJECT_NAME = /^[a-z0-9][a-z0-9_-]*$/;

/** Service instances 4..9 are in this profile of docker-compose.yml (one port each in the shared network namespace). */
export const SCALE_PROFILE = 'scale';

export const LABEL = { project: 'com.docker.compose.project', service: 'com.docker.compose.service' } as const;

/**
 * The variables every compose command of a deployment interpolates: no build CA outside
 * image builds, and the host folder of the stack's credentials (docker-compose.yml's
 * `credentials` service copies it into the containers' volume).
 */
export const composeEnv = (paths: Pick<StackPaths, 'credentials'>) => ({ TICKETING_BUILD_CA: '/dev/null', TICKETING_CREDENTIALS_DIR: paths.credentials });
