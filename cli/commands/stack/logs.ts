import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { stackContextOf } from '../../../clients/index.ts';
import { allComponents } from '../../../stack/index.ts';
import { MAX_SERVICE_INSTANCES } from '../../../contracts/index.ts';
import { UsageError, delay } from '../../../lib/index.ts';
import { validateNames } from './up.ts';
import type { Globals } from '../../shared/globals.ts';

export async function run(g: Globals, component: string, opts: { lines: string; follow?: boolean }): Promise<void> {
  const { ui, signal } = g;
  const ctx = stackContextOf(await g.context(), '`stack logs`');
  validateNames(
    [component],
    allComponents(ctx.topology, MAX_SERVICE_INSTANCES).map((c) => c.name),
  );
  const lines = Number(opts.lines);
  if (!Number.isInteger(lines) || lines < 0) throw new UsageError(`--lines "${opts.lines}" is not a whole number.`, 'Pass e.g. --lines 100.');
  const file = ctx.paths.logFile(component);
  if (!existsSync(file)) throw new UsageError(`${component} has no log yet (${file}).`, 'Start the stack first: `ticketctl stack up`.');
  const text = readFileSync(file, 'utf8');
  const tail = text.trimEnd().split('\n').slice(-lines);
  if (lines > 0 && text.length > 0) ui.out(tail.join('\n'));
  if (!opts.follow) return;
  let offset = statSync(file).size;
  while (!signal.aborted) {
    await delay(500, signal).catch(() => {});
    const size = statSync(file).size;
    if (size < offset) offset = 0; // truncated or replaced
    if (size > offset) {
      await new Promise<void>((resolve) => {
        createReadStream(file, { start: offset, end: size - 1 })
          .on('data', (chunk) => process.stdout.write(chunk))
          .on('end', resolve);
      });
      offset = size;
    }
  }
}
