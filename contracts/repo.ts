import path from 'node:path';

// Where the project's own files are, for the parts that start or read them: the
// repository root (this project's package.json), the default local-stack folder, and the
// ticketctl shim that tests, drills and the runbook walker spawn.

/** The repository root: the folder holding this project's package.json. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '..');

/** Where `ticketctl stack` keeps a stack's binaries, configs, data, logs and PID files unless told otherwise. */
export const DEFAULT_STACK_DIR = path.join(REPO_ROOT, '.stack');

/** The shell shim that runs cli/main.ts on the project's own Node.js 24. */
export const TICKETCTL_BIN = path.join(REPO_ROOT, 'bin', 'ticketctl');
