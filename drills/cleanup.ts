import { errorMessage } from '../lib/index.ts';
import { appendFaultLog, openFaults, readFaultLog, runnerAlive, type InjectRecord } from './fault-log.ts';
import { faultKind } from './faults/index.ts';
import type { FaultEnv } from './faults/types.ts';

// Reverting what a drill injected, for the runner's own rollback and for `ticketctl drill
// cleanup` after a crashed or killed runner. Reverts run newest first (a fault applied on
// top of another is undone first) and each is idempotent, so running cleanup twice, or on
// a fault whose apply never happened, is safe. A failed revert is logged and the rest go on.

export interface RevertOutcome {
  faultId: string;
  drill: string;
  runId: string;
  fault: string;
  ok: boolean;
  result: string;
}

export async function revertFaults(env: FaultEnv, logFile: string, faults: InjectRecord[], by: 'runner' | 'cleanup', signal?: AbortSignal): Promise<RevertOutcome[]> {
  const out: RevertOutcome[] = [];
  for (const f of [...faults].reverse()) {
    const kind = faultKind(f.spec.type);
    let ok = true;
    let result: string;
    try {
      result = await kind.revert(env, f.undo, signal);
    } catch (err) {
      ok = false;
      result = `revert failed: ${errorMessage(err)}`;
    }
    appendFaultLog(logFile, { kind: 'revert', at: new Date().toISOString(), runId: f.runId, faultId: f.faultId, by, ok, result });
    out.push({ faultId: f.faultId, drill: f.drill, runId: f.runId, fault: kind.describe(f.spec), ok, result });
  }
  return out;
}

/** What cleanup would revert: open faults whose runner is gone (or all, with force). */
export function faultsToClean(logFile: string, force = false): { todo: InjectRecord[]; runnerStillActive: InjectRecord[] } {
  const open = openFaults(readFaultLog(logFile));
  const runnerStillActive = force ? [] : open.filter(runnerAlive);
  return { todo: open.filter((f) => !runnerStillActive.includes(f)), runnerStillActive };
}
