import { execa } from 'execa';
import path from 'node:path';
import { REPO_ROOT } from '../../contracts/repo.ts';

export const TICKETCTL = path.join(REPO_ROOT, 'bin', 'ticketctl');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `bin/ticketctl` as a user would: no TTY, no colour, exit code kept. */
export async function ticketctl(args: string[], env: Record<string, string> = {}, timeoutMs = 300_000): Promise<CliResult> {
  const r = await execa(TICKETCTL, args, {
    reject: false,
    stdin: 'ignore',
    timeout: timeoutMs,
    env: { NO_COLOR: '1', ...env },
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}
