import { inspect } from 'node:util';

// One error family for the whole project. Every error carries a machine-readable `code`,
// whether retrying can help (`retriable`), and a `hint` naming the next step for a human.
// Entry points map these to exit codes (CLI) or HTTP statuses (service) in one place each.

export interface OpsErrorOptions {
  code: string;
  hint?: string;
  retriable?: boolean;
  cause?: unknown;
  /** Process exit code when this error ends a CLI command: 1 failure, 2 usage, 3 harness. */
  exitCode?: number;
}

export class OpsError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly retriable: boolean;
  readonly exitCode: number;

  constructor(message: string, options: OpsErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.hint = options.hint;
    this.retriable = options.retriable ?? false;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** Bad flags, arguments or config: exit 2. */
export class UsageError extends OpsError {
  constructor(message: string, hint?: string) {
    super(message, { code: 'USAGE', hint, exitCode: 2 });
  }
}

/** A required program is missing and could not be installed. */
export class MissingToolError extends OpsError {
  constructor(tool: string, hint: string, cause?: unknown) {
    super(`Required tool "${tool}" is not available.`, { code: 'MISSING_TOOL', hint, cause });
  }
}

/** A port the stack needs is taken by another process. */
export class PortInUseError extends OpsError {
  readonly port: number;
  constructor(port: number, purpose: string, owner: string | undefined, hint: string) {
    super(`Port ${port} (${purpose}) is already in use${owner ? ` by ${owner}` : ''}.`, { code: 'PORT_IN_USE', hint });
    this.port = port;
  }
}

/** A component did not become ready in time. */
export class StartupError extends OpsError {
  constructor(component: string, message: string, hint: string, cause?: unknown) {
    super(`${component}: ${message}`, { code: 'STARTUP_FAILED', hint, cause, retriable: true });
  }
}

/** What went wrong, as one line of text: an Error's message, else what was thrown as text. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  // A plain object that was thrown prints as util.inspect shows it, not as "[object Object]".
  if (typeof err === 'object' && err !== null && (err.toString === Object.prototype.toString || typeof err.toString !== 'function')) return inspect(err, { breakLength: Infinity });
  return String(err);
}
