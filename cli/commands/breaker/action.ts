import { serviceAdmin } from '../../../clients/index.ts';
import { runMutation, type MutationFlags } from '../../shared/mutation.ts';
import { applySwitch, outcomeLines, partialFailure, switchPlan, type SwitchSpec } from '../../shared/instance-switch.ts';
import type { Globals } from '../../shared/globals.ts';

// The gateway circuit breaker by hand (report 2.1.2 "pause payment API", 5): `open` forces
// every instance's breaker open (charges refused until reset); `reset` closes it and clears
// its failure window, once the gateway is healthy again.

export async function run(g: Globals, action: 'open' | 'reset', opts: MutationFlags): Promise<void> {
  const c = await g.context();
  const spec: SwitchSpec = {
    setting: 'breaker',
    target: action === 'open' ? 'OPEN' : 'CLOSED',
    current: (s) => s.breaker.state,
    always: true, // a reset also clears the failure window; an open re-forces a half-open breaker
    effect: action === 'open' ? 'charges are refused (payments fail fast) until `ticketctl breaker reset`' : 'the failure window is cleared and charges flow again',
    notes: action === 'open' ? ['a forced-open breaker does not close by itself: it stays open until reset'] : ['if the gateway still fails, the breaker opens again after 5 calls with > 50 % failures'],
    rollback: action === 'open' ? 'ticketctl breaker reset' : undefined,
  };
  const admin = serviceAdmin(c);
  const plan = switchPlan(spec, await admin.readAll());
  plan.destructive = action === 'open';
  await runMutation(
    g,
    c,
    opts,
    plan,
    async () => {
      const outcomes = await applySwitch(spec, plan.data, (url) => admin.call(url, 'POST', '/admin/breaker', { action }));
      if (outcomes.some((o) => !o.ok)) throw partialFailure(spec, outcomes, `ticketctl breaker ${action}`);
      return { action, instances: outcomes };
    },
    (r) => outcomeLines(spec, r.instances),
  );
}
