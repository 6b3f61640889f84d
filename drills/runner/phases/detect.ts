import { FaultNotInEffect } from '../../faults/types.ts';
import { runProbe, type ProbeEnv } from '../../probes/index.ts';
import type { DrillRun } from '../drill-run.ts';
import { until } from '../observations.ts';

// Phase 3: the fault must show itself: one of detect.probes fails within detect.withinMs
// of the injection (time to detect). A fault that never shows is not a finding but a
// drill that does not count (FaultNotInEffect: verdict "error", exit 3).

export async function detect(run: DrillRun, probes: ProbeEnv): Promise<void> {
  const { drill, journal } = run;
  const since = Date.now();
  const detected = await until(
    async () => {
      for (const p of drill.detect.probes) {
        const r = await runProbe(p, probes);
        if (!r.ok) return { ok: true, detail: `${p} failed: ${r.detail}` };
      }
      return { ok: false, detail: `${drill.detect.probes.join(', ')} still pass` };
    },
    drill.detect.withinMs,
    run.signal,
    250,
  );
  if (detected.at !== null) {
    journal.timeline.detectedAt = detected.at;
    journal.timeline.detectedBy = detected.detail.split(' failed')[0]!;
  }
  run.check('fault detected by a probe', detected.ok, detected.detail, since);
  if (!detected.ok) throw new FaultNotInEffect(`the fault never showed: ${detected.detail} ${Math.round(drill.detect.withinMs / 1000)} s after injection, so the drill does not count`);
}
