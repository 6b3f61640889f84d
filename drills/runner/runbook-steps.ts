import { runTicketctl as spawnTicketctl } from '../../clients/index.ts';
import type { DrillRun } from './drill-run.ts';

// The report's runbook steps a drill takes while the fault is on (mitigate: scale out
// against lag) or after healing (afterHeal; drill 1: restart the broker, then preferred
// leader election), run as the on-call engineer would: the real `ticketctl` binary, in
// the same context, so the drill also proves the runbook works.

export interface StepOutcome {
  argv: string[];
  exitCode: number;
  ms: number;
  tail: string;
}

export async function runTicketctl(argv: string[], contextName: string, env: NodeJS.ProcessEnv, signal?: AbortSignal, timeoutMs = 300_000): Promise<StepOutcome> {
  const full = ['--context', contextName, ...argv];
  const r = await spawnTicketctl(full, { env: { ...env, TICKETCTL_PROGRESS: 'plain' }, timeoutMs, ...(signal ? { signal } : {}) });
  const tail = r.all.trim().split('\n').slice(-6).join(' | ');
  return { argv: full, exitCode: r.exitCode, ms: r.ms, tail };
}

/** One runbook step of a drill run: told to the operator, recorded as a check that passes on exit 0. */
export async function takeRunbookStep(run: DrillRun, argv: string[], tell: string, checkName: string): Promise<void> {
  const since = Date.now();
  run.opts.say(`  ${tell}: ticketctl ${argv.join(' ')}`);
  const r = await runTicketctl(argv, run.env.context.name, process.env, run.signal);
  run.check(`${checkName}: ticketctl ${argv.join(' ')}`, r.exitCode === 0, `exit ${r.exitCode} in ${(r.ms / 1000).toFixed(1)} s: ${r.tail}`, since);
}
