import { runTicketctl as run } from '../../clients/index.ts';

// The report's runbook steps a drill takes after healing (drill 1: restart the broker,
// then preferred leader election), run as the on-call engineer would: the real
// `ticketctl` binary, in the same context, so the drill also proves the runbook works.

export interface StepOutcome {
  argv: string[];
  exitCode: number;
  ms: number;
  tail: string;
}

export async function runTicketctl(argv: string[], contextName: string, env: NodeJS.ProcessEnv, signal?: AbortSignal, timeoutMs = 300_000): Promise<StepOutcome> {
  const full = ['--context', contextName, ...argv];
  const r = await run(full, { env: { ...env, TICKETCTL_PROGRESS: 'plain' }, timeoutMs, ...(signal ? { signal } : {}) });
  const tail = r.all.trim().split('\n').slice(-6).join(' | ');
  return { argv: full, exitCode: r.exitCode, ms: r.ms, tail };
}
