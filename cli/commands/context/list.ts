import { listContexts } from '../../../clients/index.ts';
import { resolveOutput } from '../../shared/ui.ts';
import type { Globals } from '../../shared/globals.ts';

export async function run(g: Globals, opts: { output?: string }): Promise<void> {
  // The global --context as typed (either form): which context is selected, without resolving (or contacting) any.
  const i = g.argv.indexOf('--context');
  const flag = i >= 0 ? g.argv[i + 1] : g.argv.find((a) => a.startsWith('--context='))?.slice('--context='.length);
  const report = listContexts(g.env, flag);
  if (resolveOutput(opts.output, g.ui.isTty) === 'json') return g.ui.json(report);
  g.ui.table(
    ['', 'NAME', 'KIND', 'PROTECTED', 'DRILLS', 'SOURCE'],
    report.contexts.map((c) => [c.selected ? '*' : '', c.name, c.kind, c.protected ? 'yes' : 'no', c.allowDrills ? 'allowed' : 'no', c.source]),
  );
  g.ui.out(`\nSelected: ${report.selected} (from ${report.selectedBy}). Config file: ${report.configFile}${report.configExists ? '' : ' (none yet)'}.`);
}
