import { CommanderError } from 'commander';
import { OpsError } from '../../lib/index.ts';
import type { Ui } from './ui.ts';

// The one place an error becomes an exit code. Documented in README.md:
// 0 ok, 1 failure or unhealthy, 2 usage error or refused, 3 drill harness error,
// 130 interrupted (Ctrl-C).

/** Ends a command with a chosen exit code after it has printed its own output. */
export class ExitError extends Error {
  readonly exitCode: number;
  constructor(exitCode: number, message = '') {
    super(message);
    this.exitCode = exitCode;
  }
}

export function exitCodeFor(err: unknown, ui: Pick<Ui, 'err' | 'color'>): number {
  if (err instanceof CommanderError) {
    // commander already printed the message (and our "see --help" line).
    return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' ? 0 : 2;
  }
  if (err instanceof ExitError) {
    if (err.message) ui.err(err.message);
    return err.exitCode;
  }
  if (err instanceof Error && ['ExitPromptError', 'AbortPromptError', 'AbortError'].includes(err.name)) {
    ui.err('Interrupted.');
    return 130;
  }
  if (err instanceof OpsError) {
    ui.err(`${ui.color.red('error:')} ${err.message}`);
    if (err.hint) ui.err(`${ui.color.yellow('next:')} ${err.hint}`);
    return err.exitCode;
  }
  ui.err(`${ui.color.red('internal error:')} ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  ui.err('This is a bug in ticketctl. Please report it with the command you ran and the output above.');
  return 1;
}
