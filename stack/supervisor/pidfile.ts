import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// A PID file records what we started: the PID and the process's start time (field 22 of
// /proc/<pid>/stat). Matching both guards against PID reuse, so `down` can never signal a
// process it did not start, even long after ours died.
export interface PidRecord {
  name: string;
  pid: number;
  startTicks: number;
  startedAt: string;
  argv: string[];
}

export function readPidRecord(file: string): PidRecord | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const rec = JSON.parse(text) as PidRecord;
    return Number.isInteger(rec.pid) && Number.isInteger(rec.startTicks) ? rec : undefined;
  } catch {
    return undefined; // a torn write of a crashed `up`: treat as not started
  }
}

export function writePidRecord(file: string, rec: PidRecord): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(rec)}\n`);
}

export function removePidRecord(file: string): void {
  rmSync(file, { force: true });
}
