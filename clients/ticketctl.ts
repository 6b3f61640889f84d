import { execa } from 'execa';
import { TICKETCTL_BIN } from '../contracts/index.ts';

// ticketctl as a program that other parts run: the runbook walker (a person at the
// terminal answers the command's own prompts), the drills' runbook steps and the tests (no
// terminal, output captured, colour off). Always the real shim, so what runs is exactly
// what an on-call engineer would type.

export interface TicketctlRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved as printed (captured runs only). */
  all: string;
  ms: number;
}

export interface TicketctlOptions {
  /** Added to this process's environment. */
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** `inherit`: on this terminal, for a person; `capture` (default): no stdin, no colour, output kept. */
  stdio?: 'capture' | 'inherit';
}

export async function runTicketctl(args: string[], o: TicketctlOptions = {}): Promise<TicketctlRun> {
  const t0 = Date.now();
  const common = { reject: false, ...(o.timeoutMs ? { timeout: o.timeoutMs } : {}), ...(o.signal ? { cancelSignal: o.signal } : {}) } as const;
  if (o.stdio === 'inherit') {
    const r = await execa(TICKETCTL_BIN, args, { ...common, stdio: 'inherit', ...(o.env ? { env: o.env } : {}) });
    return { exitCode: r.exitCode ?? 130, stdout: '', stderr: '', all: '', ms: Date.now() - t0 };
  }
  const r = await execa(TICKETCTL_BIN, args, { ...common, stdin: 'ignore', all: true, env: { NO_COLOR: '1', ...o.env } });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr), all: String(r.all ?? ''), ms: Date.now() - t0 };
}
