import { stackUp, type UpReport, allComponents, readServiceInstances, ensureEngine, composeUp, BASE_CHOICES, type BaseChoice } from '../../../stack/index.ts';
import { UsageError } from '../../../lib/index.ts';
import { MAX_SERVICE_INSTANCES } from '../../../contracts/index.ts';
import { choosePlatform } from './platform-choice.ts';
import type { Globals } from '../../shared/globals.ts';

export interface UpFlags {
  only?: string[];
  platform?: string;
  base?: string;
  buildCa?: string;
}

export async function run(g: Globals, opts: UpFlags): Promise<UpReport | undefined> {
  const { ui, signal } = g;
  const { stack: ctx, spec } = await choosePlatform(g, opts.platform, '`stack up`');
  if (spec.kind === 'compose') {
    if (opts.only)
      validateNames(
        opts.only,
        allComponents(ctx.topology, MAX_SERVICE_INSTANCES).map((c) => c.name),
      );
    const engine = await ensureEngine(ctx.paths, ui.progress);
    const r = await composeUp(ctx, engine, spec, { only: opts.only, progress: ui.progress, base: baseChoice(opts.base), buildCa: buildCaFlag(opts.buildCa) });
    const secs = (r.durationMs / 1000).toFixed(1);
    if (r.started.length === 0)
      ui.err(`${ui.color.green('✔')} Compose project ${spec.project} up and healthy in ${secs} s (${r.alreadyRunning.length} services were running; compose recreated any that changed).`);
    else
      ui.err(
        `${ui.color.green('✔')} Compose project ${spec.project} up and healthy in ${secs} s${r.builtImages.length ? ` (built ${r.builtImages.join(', ')})` : ''}. Next: \`ticketctl stack status --context compose\`.`,
      );
    return undefined;
  }
  if (opts.base || opts.buildCa) throw new UsageError('--base and --build-ca choose how container images are built.', 'Use them with --platform compose (or `ticketctl stack images build`).');
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

export function baseChoice(flag: string | undefined): BaseChoice {
  if (flag === undefined) return 'auto';
  if (!(BASE_CHOICES as readonly string[]).includes(flag))
    throw new UsageError(`--base "${flag}" is not one of ${BASE_CHOICES.join(', ')}.`, 'auto: a registry base if one can be pulled, else one made here with debootstrap.');
  return flag as BaseChoice;
}

/** --build-ca <file>|none; undefined: the host's system bundle (docs/images.md). */
export function buildCaFlag(flag: string | undefined): string | null | undefined {
  return flag === 'none' ? null : flag;
}
