import { readFileSync } from 'node:fs';
import type { Component } from '../components/types.ts';
import type { StackPaths } from '../paths.ts';
import { readPidRecord, removePidRecord, type PidRecord } from './pidfile.ts';
import { isAlive } from './process.ts';

/** The live process we recorded for a component, cleaning up a stale PID file on the way. */
export function runningRecord(paths: StackPaths, c: Component): PidRecord | undefined {
  const file = paths.pidFile(c.name);
  const rec = readPidRecord(file);
  if (!rec) return undefined;
  if (isAlive(rec)) return rec;
  removePidRecord(file);
  return undefined;
}

/** The last lines of a component's log, to show why it failed. */
export function logTail(paths: StackPaths, name: string, lines = 15): string {
  try {
    return readFileSync(paths.logFile(name), 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log yet)';
  }
}
