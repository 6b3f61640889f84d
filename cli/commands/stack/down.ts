import { COMPOSE_LABEL, stackDown, allComponents, runningRecord, composeDown, findEngine, stackEngineRecord, stopStackEngine, dockerClient } from '../../../stack/index.ts';
import { MAX_SERVICE_INSTANCES } from '../../../contracts/index.ts';
import { OpsError } from '../../../lib/index.ts';
import { validateNames } from './up.ts';
import { choosePlatform } from './platform-choice.ts';
import type { PlatformChoice } from './platform-choice.ts';
import type { Globals } from '../../shared/globals.ts';

// Stopping the stack keeps every byte of data (processes' folders, compose volumes), so it
// asks no confirmation; it still offers --dry-run, like every command that changes something.
export async function run(g: Globals, opts: { only?: string[]; dryRun?: boolean; platform?: string }): Promise<void> {
  const { ui } = g;
  const choice = await choosePlatform(g, opts.platform, '`stack down`');
  if (choice.spec.kind === 'compose') return composeStackDown(g, choice, opts);
  const ctx = choice.stack;
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

/** compose down (volumes kept), then the stack's own engine if it started one and nothing else runs on it. */
async function composeStackDown(g: Globals, { stack, spec }: PlatformChoice, opts: { only?: string[]; dryRun?: boolean }): Promise<void> {
  const { ui } = g;
  if (spec.kind !== 'compose') return;
  if (opts.only)
    throw new OpsError('--only is for local processes; on compose, stop single services with `docker compose stop <service>`.', {
      code: 'USAGE',
      exitCode: 2,
      hint: 'Run `ticketctl stack down --platform compose` without --only.',
    });
  const engine = await findEngine(stack.paths);
  if (!engine) {
    ui.err('No Docker engine answers, so no compose deployment runs; nothing to stop.');
    return;
  }
  if (opts.dryRun) {
    const running = await dockerClient(engine.endpoint, 10_000).listContainers({ all: true, filters: { label: [`${COMPOSE_LABEL.project}=${spec.project}`] } });
    ui.out(
      running.length
        ? `Would stop and remove the containers of compose project ${spec.project}: ${running.map((c) => c.Labels[COMPOSE_LABEL.service]).join(', ')} (volumes kept).`
        : `Compose project ${spec.project} has no containers; nothing would be stopped.`,
    );
    return;
  }
  const t0 = Date.now();
  const removed = await composeDown(stack, engine, spec, { progress: ui.progress });
  ui.err(`${ui.color.green('✔')} Compose project ${spec.project} down in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${removed.length ? removed.join(', ') : 'nothing was running'}. Data volumes kept.`);
  if (engine.source === 'stack' && stackEngineRecord(stack.paths)) {
    const left = await dockerClient(engine.endpoint, 10_000).listContainers();
    if (left.length === 0) {
      await ui.progress.step("stop the stack's Docker engine", () => stopStackEngine(stack.paths));
    } else ui.err(`  The stack's Docker engine keeps running: ${left.length} other container(s) run on it.`);
  }
}
