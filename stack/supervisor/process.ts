import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { waitFor } from '../../lib/index.ts';
import { processStartTicks } from './proc.ts';
import type { PidRecord } from './pidfile.ts';

export interface LaunchSpec {
  file: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
}

export interface Launched {
  record: PidRecord;
  /** Resolves with the exit code/signal if the process dies while this CLI still runs. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  child: ChildProcess;
}

/**
 * Starts a long-running server in its own session (so Ctrl-C in the terminal that ran
 * `ticketctl stack up` does not kill it), with stdout and stderr appended to its log file.
 */
export async function spawnDetached(name: string, spec: LaunchSpec, logFile: string): Promise<Launched> {
  mkdirSync(path.dirname(logFile), { recursive: true });
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(spec.file, spec.args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      detached: true,
      stdio: ['ignore', fd, fd],
    });
  } finally {
    closeSync(fd);
  }
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  child.unref();
  const pid = child.pid!;
  const record: PidRecord = {
    name,
    pid,
    startTicks: processStartTicks(pid) ?? -1,
    startedAt: new Date().toISOString(),
    argv: [spec.file, ...spec.args],
  };
  return { record, exited, child };
}

/** True when the recorded process is still the one we started (same PID and start time). */
export function isAlive(record: PidRecord): boolean {
  const ticks = processStartTicks(record.pid);
  return ticks !== undefined && ticks === record.startTicks;
}

export type StopOutcome = 'not-running' | 'stopped' | 'killed';

/**
 * SIGTERM, wait up to timeoutMs for a clean exit, then SIGKILL. A SIGSTOPped process
 * (a paused drill) gets SIGCONT first, or it could never act on the SIGTERM.
 */
export async function stopProcess(record: PidRecord, timeoutMs: number): Promise<StopOutcome> {
  if (!isAlive(record)) return 'not-running';
  signal(record.pid, 'SIGCONT');
  signal(record.pid, 'SIGTERM');
  try {
    await waitFor(() => !isAlive(record), { timeoutMs, intervalMs: 100, what: `${record.name} (pid ${record.pid}) to exit` });
    return 'stopped';
  } catch {
    signal(record.pid, 'SIGKILL');
    await waitFor(() => !isAlive(record), { timeoutMs: 10_000, intervalMs: 100, what: `${record.name} (pid ${record.pid}) to die after SIGKILL` });
    return 'killed';
  }
}

/** Sends a signal to a recorded process only; ignores a process that already exited. */
export function signalRecorded(record: PidRecord, sig: NodeJS.Signals): boolean {
  if (!isAlive(record)) return false;
  return signal(record.pid, sig);
}

function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}
