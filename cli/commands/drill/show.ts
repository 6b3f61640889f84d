import path from 'node:path';
import { readDrill, blastRadius, describeFault } from '../../../drills/index.ts';
import { createTopology } from '../../../contracts/index.ts';
import { resolveOutput } from '../../shared/ui.ts';
import type { Globals } from '../../shared/globals.ts';

// `ticketctl drill show <name>`: the drill as the runner will read it (defaults filled in).

export async function run(g: Globals, name: string, opts: { output?: string; scenarios?: string }): Promise<void> {
  const d = readDrill(name, createTopology(), opts.scenarios ? path.resolve(opts.scenarios) : undefined);
  const radius = blastRadius(d.faults);
  if (resolveOutput(opts.output, g.ui.isTty) === 'json') {
    g.ui.json({ drill: d, faults: d.faults.map(describeFault), blastRadius: radius });
    return;
  }
  const { ui } = g;
  ui.out(`${d.name} (report ${d.report}): ${d.title}`);
  ui.out(`  ${d.description}`);
  ui.out(`  steady state: every instance healthy, consumer lag <= ${d.steadyState.maxLag}, read error rate <= ${d.steadyState.maxErrorRate}`);
  ui.out(
    `  load: ${d.load.operations} hold attempts on ${d.load.seats} fresh seats (${d.load.contenders} contender(s) per seat, ${d.load.payRatio * 100} % pay), ${d.load.concurrency} in flight, over ${d.load.durationMs} ms`,
  );
  d.faults.forEach((f, i) => ui.out(`  fault ${i + 1} (after ${d.faultAfterMs} ms): ${describeFault(f)}`));
  ui.out(`  detected when one fails within ${d.detect.withinMs} ms: ${d.detect.probes.join(', ')}`);
  if (d.mitigate.steps.length)
    ui.out(`  mitigation while the fault is on: ${d.mitigate.steps.map((a) => `ticketctl ${a.join(' ')}`).join('; ')}; then the detect probes pass again within ${d.mitigate.withinMs} ms`);
  ui.out(`  fault held ${d.observeMs} ms; after heal: ${d.afterHeal.length ? d.afterHeal.map((a) => `ticketctl ${a.join(' ')}`).join('; ') : 'no runbook steps'}`);
  ui.out(`  recovery: steady within ${d.recovery.steadyWithinMs} ms, drained within ${d.recovery.drainWithinMs} ms`);
  ui.out(`  invariants: ${d.invariants.join(', ')}`);
  ui.out(`  blast radius: proxies ${radius.proxies.join(', ') || 'none'}; processes ${radius.processes.join(', ') || 'none'}${radius.other.length ? `; ${radius.other.join('; ')}` : ''}`);
}
