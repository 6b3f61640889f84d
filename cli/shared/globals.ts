import type { Context } from '../../clients/index.ts';
import type { Ui } from './ui.ts';

// What every command receives from the entry point (cli/main.ts): the UI, the Ctrl-C
// signal, what was typed, the environment and the selected context. Its own module so
// that commands depend on this small type, not on the program that imports them all.

export interface Globals {
  ui: Ui;
  signal: AbortSignal;
  /** The command path as typed, e.g. "kafka elect-leaders" (audit log, messages). */
  command: string;
  /** Arguments after `ticketctl` (audit log, "run this next" hints). */
  argv: string[];
  env: NodeJS.ProcessEnv;
  /** The selected context (--context > TICKETCTL_CONTEXT > the file's default > local), resolved on first use. */
  context(): Promise<Context>;
}
