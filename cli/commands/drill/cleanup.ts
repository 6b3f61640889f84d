import { OpsError, waitFor } from '../../../lib/index.ts';
import { faultsToClean, revertFaults, type RevertOutcome, faultLogPath, describeFault, faultEnvFor } from '../../../drills/index.ts';
import { stackStatus } from '../../../stack/index.ts';
import { runMutation, type MutationFlags } from '../../shared/mutation.ts';
import { platformOf } from '../../../clients/index.ts';
import type { Globals } from '../../shared/globals.ts';

// `ticketctl drill cleanup`: reverts what the fault log shows as still applied (a runner
// that crashed, was SIGKILLed, or lost its rollback): toxics removed, proxies enabled,
// paused processes continued, killed ones started again, gateway knobs put back. Then it
// waits for the stack to be healthy. Nothing open: "nothing to do", exit 0 - so it is
// safe to run any number of times. Faults of a runner that is still alive are left to
// that runner's own rollback unless --force.

export interface CleanupFlags extends MutationFlags {
  force?: boolean;
}

export interface CleanupOutcome {
  reverted: RevertOutcome[];
  healthy: boolean;
}

export async function run(g: Globals, opts: CleanupFlags): Promise<void> {
  const c = await g.context();
  const { stack, platform } = await platformOf(c, '`drill cleanup`');
  const logFile = faultLogPath(stack.paths.root);
  const { todo, runnerStillActive } = faultsToClean(logFile, opts.force ?? false);
  const plan = {
    title: todo.length ? `revert ${todo.length} fault(s) left applied by drill runs (${logFile})` : `no fault left applied (${logFile})`,
    steps: [...todo].reverse().map((f) => `revert ${describeFault(f.spec)} (drill ${f.drill}, run ${f.runId}, injected ${f.at})`),
    data: { faultLog: logFile, faults: todo.map((f) => ({ faultId: f.faultId, drill: f.drill, runId: f.runId, spec: f.spec, injectedAt: f.at })), skippedActiveRunner: runnerStillActive.map((f) => f.faultId) },
    notes: runnerStillActive.length
      ? [`${runnerStillActive.length} fault(s) belong to a drill run that is still going (pid ${runnerStillActive[0]!.runner.pid}); it rolls them back itself. --force reverts them anyway.`]
      : [],
    destructive: false,
  };
  const outcome = await runMutation(
    g,
    c,
    opts,
    plan,
    async (): Promise<CleanupOutcome> => {
      const env = faultEnvFor(c, stack, platform, 'cleanup', () => {
        throw new Error('cleanup never produces to Kafka');
      });
      const reverted = await revertFaults(env, logFile, todo, 'cleanup', g.signal);
      for (const r of reverted) g.ui.err(`  ${r.ok ? 'ok' : 'FAILED'}: ${r.result}`);
      const healthy = await waitFor(async () => (await stackStatus(stack, platform.kind === 'local' ? undefined : await platform.status())).healthy, {
        timeoutMs: 120_000,
        intervalMs: 1000,
        what: 'the stack to be healthy',
        signal: g.signal,
      }).then(
        () => true,
        () => false,
      );
      return { reverted, healthy };
    },
    (r) => [...r.reverted.map((x) => `${x.ok ? 'reverted' : 'FAILED'}: ${x.fault}: ${x.result}`), r.healthy ? 'stack healthy' : 'stack NOT healthy yet: see `ticketctl stack status`'],
  );
  if (!outcome) return;
  const failed = outcome.reverted.filter((r) => !r.ok);
  if (failed.length)
    throw new OpsError(`${failed.length} fault(s) could not be reverted.`, {
      code: 'CLEANUP_FAILED',
      hint: 'Fix the cause shown above (often: start the stack with `ticketctl stack up`), then run `ticketctl drill cleanup --yes` again.',
    });
  if (!outcome.healthy) throw new OpsError('Every fault was reverted, but the stack is not healthy yet.', { code: 'UNHEALTHY', hint: 'See `ticketctl stack status`; `ticketctl stack up` starts what is down.' });
}
