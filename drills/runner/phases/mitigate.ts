import { runProbe, type ProbeEnv } from '../../probes/index.ts';
import type { DrillRun } from '../drill-run.ts';
import { until } from '../observations.ts';
import { takeRunbookStep } from '../runbook-steps.ts';

// Phase 4, only for a drill with mitigate.steps: the runbook's response while the fault
// is still on (e.g. `consumers scale 3` against lag), as real `ticketctl` commands; then
// every detect probe must pass again within mitigate.withinMs (time to mitigate).

export async function mitigate(run: DrillRun, probes: ProbeEnv): Promise<void> {
  const { drill } = run;
  if (!drill.mitigate.steps.length) return;
  for (const argv of drill.mitigate.steps) await takeRunbookStep(run, argv, 'mitigate', 'mitigation step');
  const since = Date.now();
  const mitigated = await until(
    async () => {
      const rs = await Promise.all(drill.detect.probes.map((p) => runProbe(p, probes)));
      return { ok: rs.every((r) => r.ok), detail: rs.map((r) => `${r.name}: ${r.detail}`).join('; ') };
    },
    drill.mitigate.withinMs,
    run.signal,
  );
  run.journal.timeline.mitigatedAt = mitigated.at;
  run.check('symptom gone after mitigation, fault still on', mitigated.ok, mitigated.detail, since);
}
