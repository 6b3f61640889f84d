import { execa } from 'execa';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AuditRecord } from '../../cli/shared/audit.ts';
import { TICKETCTL, ticketctl, type CliResult } from '../helpers/cli.ts';
import { testStack } from '../helpers/stack.ts';

// What the tests of `ticketctl`'s runbook commands share: the stack under test (the one
// TICKETCTL_STACK_DIR / TICKETCTL_PORT_OFFSET name), a private audit log and config path
// per test file (a developer's ~/.config/ticketctl never leaks in), and a terminal
// (through `script`) for the prompts.

export const ctx = testStack();

function readAudit(file: string): AuditRecord[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditRecord);
}

export function scratch(prefix: string) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `ticketctl-${prefix}-`));
  const auditLog = path.join(dir, 'audit.log');
  const env = { TICKETCTL_AUDIT_LOG: auditLog, TICKETCTL_CONFIG: path.join(dir, 'no-config.json') };
  return {
    dir,
    env,
    auditLog,
    run: (args: string[], extra: Record<string, string> = {}, timeoutMs?: number): Promise<CliResult> => ticketctl(args, { ...env, ...extra }, timeoutMs),
    /** One record per run: how it ended (the `started` intent records are in auditAll()). */
    audit: (): AuditRecord[] => readAudit(auditLog).filter((r) => r.result !== 'started'),
    /** Every line of the audit log, intents included. */
    auditAll: (): AuditRecord[] => readAudit(auditLog),
    /** Writes a config file and returns the env that selects it. */
    config: (content: unknown, name = 'config.json'): Record<string, string> => {
      const file = path.join(dir, name);
      // Owner-only, as a config file that may hold a plain secret must be (clients/secret.ts).
      writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2), { mode: 0o600 });
      return { TICKETCTL_CONFIG: file };
    },
  };
}

/** A context in a config file that points at the stack under test. */
export function stackContextEntry(extra: Record<string, unknown> = {}) {
  return { stack: { dir: ctx.paths.root, portOffset: ctx.topology.portOffset }, ...extra };
}

/**
 * Runs ticketctl on a pseudo-terminal (util-linux `script`), typing `input` into it, as an
 * operator at a prompt would.
 */
export async function ticketctlOnTty(args: string[], input: string, env: Record<string, string>, timeoutMs = 60_000): Promise<CliResult> {
  const quoted = [TICKETCTL, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = await execa('script', ['-qec', quoted, '/dev/null'], { input, reject: false, timeout: timeoutMs, env: { NO_COLOR: '1', ...env } });
  const strip = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''); // eslint-disable-line no-control-regex -- strips the terminal's escape sequences (ESC [ ...)
  return { exitCode: r.exitCode ?? -1, stdout: strip(String(r.stdout)), stderr: strip(String(r.stderr)) };
}

export function parseJson<T = any>(r: CliResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${r.exitCode}):\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
}
