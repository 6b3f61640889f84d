import { OpsError, UsageError, WaitTimeoutError, waitFor } from '../../../lib/index.ts';
import { electPreferredLeadersFor } from '../../../stack/index.ts';
import { fetchPartitions, partitionLabel, withAdmin, bootstrapOf, kafkaToolsFor } from '../../../clients/index.ts';
import { runMutation, type MutationFlags } from '../../shared/mutation.ts';
import { electionPlan } from './election-plan.ts';
import type { Globals } from '../../shared/globals.ts';

// Runbook 4.1.1, step 2: after a broker returns, leadership stays where failover put it
// (auto.leader.rebalance.enable=false), so the returning broker serves no partition until
// a preferred leader election. kafkajs has no ElectLeaders API: Kafka's own
// LeaderElectionCommand does it, for exactly the partitions the plan lists.

const VERIFY_TIMEOUT_S = 30;

export interface ElectFlags extends MutationFlags {
  topic?: string;
  partition?: number;
}

export async function run(g: Globals, opts: ElectFlags): Promise<void> {
  if (opts.partition !== undefined && opts.topic === undefined) throw new UsageError('--partition needs --topic.', 'For example: ticketctl kafka elect-leaders --topic payment.success --partition 1 --dry-run');
  const c = await g.context();
  const selection = { topic: opts.topic ?? null, partition: opts.partition ?? null };
  const partitions = await withAdmin(c, async (admin) => {
    if (opts.topic !== undefined) {
      const names = await admin.listTopics();
      if (!names.includes(opts.topic)) throw new UsageError(`Topic "${opts.topic}" does not exist in context ${c.name}.`, `Topics: ${names.sort().join(', ')}.`);
    }
    const all = (await fetchPartitions(admin, opts.topic === undefined ? undefined : [opts.topic])).partitions;
    if (opts.partition === undefined) return all;
    const one = all.filter((p) => p.partition === opts.partition);
    if (!one.length) throw new UsageError(`${opts.topic} has no partition ${opts.partition}.`, `Its partitions: ${all.map((p) => p.partition).join(', ')}.`);
    return one;
  });
  const plan = electionPlan(partitions, bootstrapOf(c), selection, VERIFY_TIMEOUT_S);
  const targets = plan.data.elect;

  await runMutation(
    g,
    c,
    opts,
    plan,
    async () => {
      const tools = kafkaToolsFor(c, g.env);
      const report = await g.ui.progress.step(`LeaderElectionCommand for ${targets.length} partition(s)`, () =>
        electPreferredLeadersFor(
          tools,
          bootstrapOf(c),
          targets.map((t) => ({ topic: t.topic, partition: t.partition })),
        ),
      );
      const topics = [...new Set(targets.map((t) => t.topic))];
      try {
        await g.ui.progress.step('verify preferred leaders', () =>
          withAdmin(c, (admin) =>
            waitFor(
              async () => {
                const now = (await fetchPartitions(admin, topics)).partitions;
                const still = targets.filter((t) => !now.some((p) => p.topic === t.topic && p.partition === t.partition && p.onPreferredLeader));
                if (still.length) throw new Error(`${still.length} still elsewhere, e.g. ${partitionLabel(still[0]!)}`);
                return true;
              },
              { timeoutMs: VERIFY_TIMEOUT_S * 1000, intervalMs: 500, what: 'every elected partition to be led by its preferred replica', signal: g.signal },
            ),
          ),
        );
      } catch (err) {
        if (!(err instanceof WaitTimeoutError)) throw err;
        throw new OpsError(`The election ran, but not every partition moved: ${err.message}.`, {
          code: 'ELECTION_UNVERIFIED',
          hint: `See \`ticketctl kafka describe <topic>\`; run \`ticketctl kafka elect-leaders --dry-run\` again to see what is left.`,
          cause: err,
        });
      }
      return { elected: targets.map((t) => partitionLabel(t)), verified: true, toolOutput: report.trim() };
    },
    (r) => [`${r.elected.length} partition(s) now on their preferred leader: ${r.elected.join(', ')}.`],
  );

  if (!opts.dryRun && plan.data.blocked.length) {
    throw new OpsError(`${plan.data.blocked.length} partition(s) could not be elected: their preferred replica is not in the ISR yet.`, {
      code: 'ELECTION_BLOCKED',
      hint: `Wait until the broker has caught up (\`ticketctl kafka describe ${plan.data.blocked[0]!.topic}\` shows it in the ISR), then run \`ticketctl kafka elect-leaders --dry-run\` again.`,
    });
  }
}
