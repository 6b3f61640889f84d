import { runTicketctl } from '../../clients/ticketctl.ts';
import { TICKETCTL_BIN } from '../../contracts/repo.ts';

export const TICKETCTL = TICKETCTL_BIN;

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `bin/ticketctl` as a user would: no TTY, no colour, exit code kept. */
export async function ticketctl(args: string[], env: Record<string, string> = {}, timeoutMs = 300_000): Promise<CliResult> {
  const { exitCode, stdout, stderr } = await runTicketctl(args, { env, timeoutMs });
  return { exitCode, stdout, stderr };
}
