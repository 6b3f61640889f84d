import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpsError } from '../../lib/index.ts';
import type { Context } from '../../clients/index.ts';
import { chainedLine } from './audit-chain.ts';

// The audit log: JSON lines for every run of a mutating command (who, when, where, what
// was planned, and how it ended), including runs that were refused, declined or failed. A
// run that changes something writes its intent (`started`) before it acts and its outcome
// after, so a crash in the middle still leaves a record. Lines are hash-chained
// (audit-chain.ts; `ticketctl audit verify`). Keys are documented in docs/ticketctl.md
// ("Audit log") and stable.

export type AuditResult = 'started' | 'ok' | 'failed' | 'refused' | 'aborted' | 'noop';

export interface AuditRecord {
  time: string;
  user: string;
  host: string;
  pid: number;
  context: string;
  command: string;
  argv: string[];
  plan: { title: string; steps: string[]; data: unknown; rollback: string | null };
  result: AuditResult;
  error: string | null;
  durationMs: number;
}

export interface AuditInput {
  startedAt: number;
  context: string;
  command: string;
  argv: string[];
  plan: { title: string; steps: string[]; data: unknown; rollback?: string | undefined };
  result: AuditResult;
  error?: string | undefined;
  now?: number;
}

export function auditRecord(input: AuditInput): AuditRecord {
  const { plan } = input;
  return {
    time: new Date(input.startedAt).toISOString(),
    user: currentUser(),
    host: os.hostname(),
    pid: process.pid,
    context: input.context,
    command: input.command,
    argv: input.argv,
    plan: { title: plan.title, steps: plan.steps, data: plan.data, rollback: plan.rollback ?? null },
    result: input.result,
    error: input.error ?? null,
    durationMs: (input.now ?? Date.now()) - input.startedAt,
  };
}

/** Who ran it: the human behind sudo when there is one. */
function currentUser(): string {
  let name = 'unknown';
  try {
    name = os.userInfo().username;
  } catch {
    // no passwd entry (some containers): keep "unknown"
  }
  const sudo = process.env.SUDO_USER;
  return sudo && sudo !== name ? `${sudo} (as ${name})` : name;
}

/**
 * $TICKETCTL_AUDIT_LOG, else `<stack dir>/audit.log` for a local stack, else
 * `$XDG_STATE_HOME/ticketctl/audit.log` (default ~/.local/state).
 */
export function auditLogPath(context: Pick<Context, 'stack'>, env: NodeJS.ProcessEnv): string {
  if (env.TICKETCTL_AUDIT_LOG) return path.resolve(env.TICKETCTL_AUDIT_LOG);
  if (context.stack) return path.join(context.stack.dir, 'audit.log');
  const state = env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  return path.join(state, 'ticketctl', 'audit.log');
}

/** Checked before anything changes: a run that cannot be recorded does not run. */
export function assertAuditWritable(file: string): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    closeSync(openSync(file, 'a', 0o640));
  } catch (err) {
    throw new OpsError(`Cannot write the audit log ${file}: ${(err as Error).message}. Nothing was changed.`, {
      code: 'AUDIT_UNWRITABLE',
      hint: 'Fix its folder or permissions, or set TICKETCTL_AUDIT_LOG to a writable file.',
      cause: err,
    });
  }
}

/**
 * One line per record, chained to the line before it. Writers on one machine take a lock
 * file around "read the last line, append": two runs appending at once would otherwise
 * chain to the same line and the log would look tampered with.
 */
export function appendAudit(file: string, record: AuditRecord): void {
  mkdirSync(path.dirname(file), { recursive: true });
  withAuditLock(file, () => appendFileSync(file, `${chainedLine(record, lastLine(file))}\n`, { mode: 0o640 }));
}

function lastLine(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  return lines.at(-1);
}

const LOCK_STALE_MS = 10_000;
const LOCK_WAIT_MS = 5_000;

/** An exclusive lock file beside the log; one left by a crashed writer is taken over once it is stale. */
function withAuditLock(file: string, fn: () => void): void {
  const lock = `${file}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx', 0o640));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = Date.now() - (statSafe(lock) ?? Date.now());
      if (age > LOCK_STALE_MS) unlinkQuiet(lock);
      else if (Date.now() > deadline) throw new Error(`the audit log is locked by another ticketctl (${lock}); remove the file if no ticketctl is running`, { cause: err });
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20); // a short synchronous pause: appends are synchronous
    }
  }
  try {
    fn();
  } finally {
    unlinkQuiet(lock);
  }
}

function statSafe(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

function unlinkQuiet(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}
