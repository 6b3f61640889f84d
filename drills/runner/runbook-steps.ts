import path from 'node:path';
import { execa } from 'execa';
import { REPO_ROOT } from '../../contracts/repo.ts';

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
  const t0 = Date.now();
  const full = ['--context', contextName, ...argv];
  const r = await execa(path.join(REPO_ROOT, 'bin', 'ticketctl'), full, {
    reject: false,
    all: true,
    timeout: timeoutMs,
    env: { ...env, TICKETCTL_PROGRESS: 'plain', NO_COLOR: '1' },
    stdin: 'ignore',
    ...(signal ? { cancelSignal: signal } : {}),
  });
  const tail = String(r.all ?? '').trim().split('\n').slice(-6).join(' | ');
  return { argv: full, exitCode: r.exitCode ?? -1, ms: Date.now() - t0, tail };
}
