import { appendFileSync, closeSync, mkdirSync, openSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpsError } from '../../lib/index.ts';
import type { Context } from '../../clients/index.ts';

// The audit log: one JSON line per run of a mutating command (who, when, where, what was
// planned, and how it ended), including runs that were refused, declined or failed. Keys
// are documented in docs/ticketctl.md ("Audit log") and stable.

export type AuditResult = 'ok' | 'failed' | 'refused' | 'aborted' | 'noop';

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

/** One line per record; O_APPEND keeps concurrent writers' lines whole. */
export function appendAudit(file: string, record: AuditRecord): void {
  mkdirSync(path.dirname(file), { recursive: true });
  appendFileSync(file, `${JSON.stringify(record)}\n`, { mode: 0o640 });
}
