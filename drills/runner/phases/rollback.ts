import { revertFaults } from '../../cleanup.ts';
import type { DrillRun } from '../drill-run.ts';

// Phase 6, always (run-drill.ts calls it from `finally`: on success, a violated
// invariant, an error, or Ctrl-C): every injected fault is reverted, newest first, and a
// `revert` line logged. It runs without the abort signal, since Ctrl-C must not stop the
// undo. A failed revert becomes the journal's error (if there is none yet) and points to
// `ticketctl drill cleanup`.

export async function rollback(run: DrillRun): Promise<void> {
  const { journal, opts } = run;
  if (!run.injected.length) return;
  const reverts = await revertFaults(run.faultEnv, opts.faultLog, run.injected, 'runner');
  for (const r of reverts) {
    const f = journal.faults.find((x) => x.faultId === r.faultId);
    if (f) f.reverted = r.ok ? r.result : null;
    opts.say(`  rollback: ${r.result}`);
    if (!r.ok) journal.error ??= `rollback failed: ${r.result}; run \`ticketctl drill cleanup\``;
  }
  journal.timeline.healedAt = Date.now();
}
