import { stackContextOf } from '../../../clients/index.ts';
import { stackDown, allComponents, runningRecord } from '../../../stack/index.ts';
import { MAX_SERVICE_INSTANCES } from '../../../contracts/index.ts';
import { validateNames } from './up.ts';
import type { Globals } from '../../shared/globals.ts';

// Stopping the local stack keeps every byte of data, so it asks no confirmation; it
// still offers --dry-run, like every command that changes something.
export async function run(g: Globals, opts: { only?: string[]; dryRun?: boolean }): Promise<void> {
  const { ui } = g;
  const ctx = stackContextOf(await g.context(), '`stack down`');
  const comps = allComponents(ctx.topology, MAX_SERVICE_INSTANCES);
  if (opts.only)
    validateNames(
      opts.only,
      comps.map((c) => c.name),
    );
  if (opts.dryRun) {
    const running = comps.filter((c) => (!opts.only || opts.only.includes(c.name)) && runningRecord(ctx.paths, c));
    ui.out(running.length ? `Would stop: ${running.map((c) => `${c.name} (pid ${runningRecord(ctx.paths, c)!.pid})`).join(', ')}` : 'Nothing is running; nothing would be stopped.');
    return;
  }
  const report = await stackDown(ctx, { progress: ui.progress, only: opts.only });
  if (report.stopped.length === 0) {
    ui.err('Nothing was running; nothing to stop.');
    return;
  }
  const killed = report.stopped.filter((s) => s.outcome === 'killed').map((s) => s.name);
  ui.err(`${ui.color.green('✔')} Stopped ${report.stopped.map((s) => s.name).join(', ')} in ${(report.durationMs / 1000).toFixed(1)} s. Data kept in ${ctx.paths.data}.`);
  if (killed.length) ui.err(ui.color.yellow(`  ${killed.join(', ')} did not exit on SIGTERM in time and were killed.`));
}
