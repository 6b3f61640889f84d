import type { Globals } from '../main.ts';
import { run as up } from './stack/up.ts';
import { run as status } from './stack/status.ts';

// The README's main job. Grows with the project: today it brings the stack up and shows
// its status table.
export async function run(globals: Globals): Promise<void> {
  await up(globals, {});
  await status(globals, { output: 'table' });
}
