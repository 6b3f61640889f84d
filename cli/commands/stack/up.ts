import { stackContextOf } from '../../../clients/index.ts';
import { stackUp, type UpReport, allComponents, readServiceInstances } from '../../../stack/index.ts';
import { UsageError } from '../../../lib/index.ts';
import type { Globals } from '../../shared/globals.ts';

export async function run(g: Globals, opts: { only?: string[] }): Promise<UpReport> {
  const { ui, signal } = g;
  const ctx = stackContextOf(await g.context(), '`stack up`');
  if (opts.only)
    validateNames(
      opts.only,
      allComponents(ctx.topology, readServiceInstances(ctx.paths)).map((c) => c.name),
    );
  const report = await stackUp(ctx, { progress: ui.progress, signal, only: opts.only });
  const secs = (report.durationMs / 1000).toFixed(1);
  if (report.started.length === 0) {
    ui.err(`${ui.color.green('✔')} Stack already up (${report.alreadyRunning.length} components running); nothing to do.`);
  } else {
    ui.err(`${ui.color.green('✔')} Started ${report.started.join(', ')} in ${secs} s${report.alreadyRunning.length ? `; already running: ${report.alreadyRunning.join(', ')}` : ''}.`);
    ui.err(`  Data and logs: ${ctx.paths.root}. Next: \`ticketctl stack status\`.`);
  }
  return report;
}

export function validateNames(names: string[], known: string[]): void {
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length) throw new UsageError(`Unknown component(s): ${unknown.join(', ')}.`, `Choose from: ${known.join(', ')}.`);
}
