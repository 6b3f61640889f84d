import type { Command } from 'commander';
import { bashCompletion, zshCompletion } from './scripts.ts';
import type { Globals } from '../../shared/globals.ts';

export async function run({ ui }: Globals, shell: 'bash' | 'zsh', program: Command): Promise<void> {
  process.stdout.write(shell === 'bash' ? bashCompletion(program) : zshCompletion(program));
  if (ui.isTty) ui.err(`Install: docs/ticketctl.md, "Shell completion" (e.g. source <(ticketctl completion ${shell}) in ~/.${shell}rc).`);
}
