import type { OpResult } from '../load/run.ts';
import type { DrillJournal } from '../report/journal.ts';

// The journal's `load` counts, from the load's answers: holds and payments by status, and
// per call and status how many, the median and the slowest answer.

export function summarizeLoad(load: OpResult[]): Pick<DrillJournal['load'], 'holds' | 'payments' | 'latency'> {
  return { latency: latencyByCall(load), holds: countByStatus(load.map((r) => r.hold)), payments: countByStatus(load.map((r) => r.payment)) };
}

function countByStatus(xs: Array<{ status: number } | undefined>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) if (x) out[String(x.status)] = (out[String(x.status)] ?? 0) + 1;
  return out;
}

/** Per call and status: how many, median and slowest answer (ms). */
function latencyByCall(load: OpResult[]): DrillJournal['load']['latency'] {
  const groups = new Map<string, number[]>();
  for (const op of load) {
    for (const [call, a] of [
      ['hold', op.hold],
      ['payment', op.payment],
    ] as const) {
      if (!a) continue;
      const key = `${call} ${a.status || 'no-answer'}`;
      groups.set(key, [...(groups.get(key) ?? []), a.ms]);
    }
  }
  return Object.fromEntries(
    [...groups].map(([k, ms]) => {
      const sorted = ms.sort((a, b) => a - b);
      return [k, { count: ms.length, p50Ms: sorted[Math.floor((sorted.length - 1) / 2)]!, maxMs: sorted.at(-1)! }];
    }),
  );
}
