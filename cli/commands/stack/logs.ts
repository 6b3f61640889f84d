import { allComponents, createPlatform } from '../../../stack/index.ts';
import { MAX_SERVICE_INSTANCES } from '../../../contracts/index.ts';
import { UsageError } from '../../../lib/index.ts';
import { validateNames } from './up.ts';
import { choosePlatform } from './platform-choice.ts';
import type { Globals } from '../../shared/globals.ts';

export async function run(g: Globals, component: string, opts: { lines: string; follow?: boolean; platform?: string }): Promise<void> {
  const { signal } = g;
  const { stack: ctx, spec } = await choosePlatform(g, opts.platform, '`stack logs`');
  validateNames(
    [component],
    allComponents(ctx.topology, MAX_SERVICE_INSTANCES).map((c) => c.name),
  );
  const lines = Number(opts.lines);
  if (!Number.isInteger(lines) || lines < 0) throw new UsageError(`--lines "${opts.lines}" is not a whole number.`, 'Pass e.g. --lines 100.');
  const platform = await createPlatform(ctx, spec);
  await platform.logs(component, { lines, follow: opts.follow === true, signal, write: (chunk) => void process.stdout.write(chunk) });
}
