import { serviceAdmin } from '../../../clients/index.ts';
import { runMutation, type MutationFlags } from '../../shared/mutation.ts';
import { applySwitch, outcomeLines, partialFailure, switchPlan, type SwitchSpec } from '../../shared/instance-switch.ts';
import type { Globals } from '../../shared/globals.ts';

// Report 2.2.2, payment retry overload: emergency retry mode retries a failed charge at
// most once (EMERGENCY_MAX_RETRY = 1) instead of 3 times, on every instance.

export async function run(g: Globals, mode: 'emergency' | 'normal', opts: MutationFlags): Promise<void> {
  const c = await g.context();
  const spec: SwitchSpec = {
    setting: 'retry mode',
    target: mode,
    current: (s) => (s.retry.emergency ? 'emergency' : 'normal'),
    effect: mode === 'emergency' ? 'a failed charge is retried at most once (EMERGENCY_MAX_RETRY)' : 'a failed charge is retried up to 3 times (MAX_RETRY_COUNT)',
    notes: ['takes effect for the next retry decision; an instance started or restarted later comes up in normal mode'],
    rollback: `ticketctl breaker retry-mode ${mode === 'emergency' ? 'normal' : 'emergency'}`,
  };
  const admin = serviceAdmin(c);
  const plan = switchPlan(spec, await admin.readAll());
  await runMutation(
    g,
    c,
    opts,
    plan,
    async () => {
      const outcomes = await applySwitch(spec, plan.data, (url) => admin.call(url, 'PUT', '/admin/retry-mode', { emergency: mode === 'emergency' }));
      if (outcomes.some((o) => !o.ok)) throw partialFailure(spec, outcomes, `ticketctl breaker retry-mode ${mode}`);
      return { retryMode: mode, instances: outcomes };
    },
    (r) => outcomeLines(spec, r.instances),
  );
}
