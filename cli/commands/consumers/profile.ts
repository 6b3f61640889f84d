import { WaitTimeoutError, waitFor } from '../../../lib/index.ts';
import { CONSUMER_GROUP } from '../../../contracts/index.ts';
import { CONSUMER_PROFILES, type ConsumerProfile } from '../../../service/index.ts';
import { withAdmin, serviceAdmin } from '../../../clients/index.ts';
import type { Context } from '../../../clients/index.ts';
import { runMutation, type MutationFlags } from '../../shared/mutation.ts';
import { applySwitch, outcomeLines, partialFailure, switchPlan, type SwitchSpec } from '../../shared/instance-switch.ts';
import { describeGroup } from './group-offsets.ts';
import type { Globals } from '../../shared/globals.ts';

// Runbook 4.2.2: switch every instance's saga consumer to the emergency settings
// (maxWaitTimeInMs 500 -> 100, sessionTimeout 30000 -> 10000) or back. Each instance
// restarts its consumer, so the group rebalances; we wait until it is stable again.

const describeSettings = (p: ConsumerProfile) => {
  const s = CONSUMER_PROFILES[p];
  return `maxWaitTimeInMs ${s.maxWaitTimeInMs}, sessionTimeout ${s.sessionTimeout}, heartbeatInterval ${s.heartbeatInterval}, maxBytesPerPartition ${s.maxBytesPerPartition}`;
};

export async function run(g: Globals, profile: ConsumerProfile, opts: MutationFlags): Promise<void> {
  const c = await g.context();
  const other: ConsumerProfile = profile === 'emergency' ? 'normal' : 'emergency';
  const spec: SwitchSpec = {
    setting: 'consumer profile',
    target: profile,
    current: (s) => s.consumer.profile,
    effect: 'its consumer restarts and rejoins the group',
    notes: [`${profile}: ${describeSettings(profile)} (report 4.2.2)`, 'an instance started or restarted later comes up with the normal profile: run this again after `consumers scale` or a restart'],
    rollback: `ticketctl consumers profile ${other}`,
  };
  const admin = serviceAdmin(c);
  const reads = await admin.readAll();
  const plan = switchPlan(spec, reads);
  await runMutation(
    g,
    c,
    opts,
    plan,
    async () => {
      const outcomes = await g.ui.progress.step(`switch ${plan.steps.length} instance(s) to ${profile}`, () =>
        applySwitch(spec, plan.data, (url) => admin.call(url, 'PUT', '/admin/consumer-profile', { profile }, 60_000)),
      );
      if (outcomes.some((o) => !o.ok)) throw partialFailure(spec, outcomes, `ticketctl consumers profile ${profile}`);
      const group = await g.ui.progress.step(`wait for ${CONSUMER_GROUP} to settle with ${outcomes.length} member(s)`, () => settled(c, outcomes.length, g.signal));
      return { profile, settings: CONSUMER_PROFILES[profile], instances: outcomes, group };
    },
    (r) => [
      ...outcomeLines(spec, r.instances),
      r.group.stable
        ? `${CONSUMER_GROUP}: Stable with ${r.group.members} member(s).`
        : `${CONSUMER_GROUP} did not settle in time (${r.group.state}, ${r.group.members} member(s)); check with \`ticketctl consumers lag\`.`,
    ],
  );
}

/** The group after the consumers restarted: Stable with every instance in it, or how far it got. */
async function settled(c: Context, expected: number, signal: AbortSignal): Promise<{ stable: boolean; state: string; members: number }> {
  let seen = { stable: false, state: 'unknown', members: 0 };
  try {
    return await withAdmin(c, (admin) =>
      waitFor(
        async () => {
          const d = await describeGroup(admin, CONSUMER_GROUP);
          seen = { stable: d.state === 'Stable' && d.members.length === expected, state: d.state, members: d.members.length };
          return seen.stable ? seen : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 500, what: `${CONSUMER_GROUP} stable with ${expected} members`, signal },
      ),
    );
  } catch (err) {
    if (err instanceof WaitTimeoutError) return seen;
    throw err;
  }
}
