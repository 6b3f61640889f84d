import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { processStartTicks } from '../stack/index.ts';
import type { FaultSpec } from './faults/registry.ts';
import type { Undo } from './faults/types.ts';

// The fault log: append-only JSON lines in the stack's folder (`<stack dir>/drills/
// fault-log.jsonl`). An `inject` line is written *before* a fault is applied and carries
// everything needed to undo it; a `revert` line after it was undone. A fault with an
// inject line and no successful revert line may still be in place: `ticketctl drill
// cleanup` reverts exactly those, even after the runner was SIGKILLed mid-drill.
// Each line is one write(2) of a whole line, so a killed writer leaves at worst a torn
// last line, which the reader skips.

export interface InjectRecord {
  kind: 'inject';
  at: string;
  runId: string;
  drill: string;
  faultId: string;
  spec: FaultSpec;
  undo: Undo;
  /** The runner process, so cleanup can leave the faults of a run that is still going alone. */
  runner: { pid: number; startTicks: number | null };
}

export interface RevertRecord {
  kind: 'revert';
  at: string;
  runId: string;
  faultId: string;
  by: 'runner' | 'cleanup';
  ok: boolean;
  result: string;
}

export type FaultLogRecord = InjectRecord | RevertRecord;

export function faultLogPath(stackDir: string): string {
  return path.join(stackDir, 'drills', 'fault-log.jsonl');
}

export function appendFaultLog(file: string, record: FaultLogRecord): void {
  mkdirSync(path.dirname(file), { recursive: true });
  appendFileSync(file, `${JSON.stringify(record)}\n`);
}

export function readFaultLog(file: string): FaultLogRecord[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: FaultLogRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as FaultLogRecord);
    } catch {
      // a torn line from a writer killed mid-write: the inject before it is still open
    }
  }
  return out;
}

/** Injected faults with no successful revert, oldest first. */
export function openFaults(records: FaultLogRecord[]): InjectRecord[] {
  const reverted = new Set(records.filter((r): r is RevertRecord => r.kind === 'revert' && r.ok).map((r) => r.faultId));
  return records.filter((r): r is InjectRecord => r.kind === 'inject' && !reverted.has(r.faultId));
}

/** The runner that injected this fault still runs (same PID and start time). */
export function runnerAlive(r: InjectRecord): boolean {
  if (r.runner.pid === process.pid) return false;
  const ticks = processStartTicks(r.runner.pid);
  return ticks !== undefined && ticks === r.runner.startTicks;
}

export function selfRunner(): InjectRecord['runner'] {
  return { pid: process.pid, startTicks: processStartTicks(process.pid) ?? null };
}
