import { OpsError, UsageError, errorMessage, WaitTimeoutError, waitFor } from '../../../lib/index.ts';
import { assertBrokerIdentity, pidOf } from '../../../stack/index.ts';
import { contextKafka, fetchPartitions, partitionLabel, withAdmin, type PartitionView, platformOf } from '../../../clients/index.ts';
import type { Context } from '../../../clients/index.ts';
import { runMutation, type MutationFlags, type Plan } from '../../shared/mutation.ts';
import type { Globals } from '../../shared/globals.ts';

// Runbook 4.1.1, step 3 (`docker-compose restart broker2`), on the context's platform
// (stack/platforms: local processes or compose containers): check that the target is the
// broker asked for (the node.id its log dir carries), stop it cleanly (SIGTERM: a
// controlled shutdown hands its leaderships over first), start it again, and wait until it
// is back in the ISR of every partition it replicates. A context without a stack is refused.

export interface RestartFlags extends MutationFlags {
  timeout: number;
}

export interface RestartPlanData {
  broker: number;
  component: string;
  stackDir: string;
  /** Where it runs: "local processes under ...", "compose project ticketing (...)". */
  platform: string;
  /** The local process; null on compose, or when it is not running. */
  pid: number | null;
  /** "pid 123" / "container 3f2a..."; null: not running, so it is only started. */
  unit: string | null;
  replicaOf: number;
  leaderOf: string[];
  timeoutS: number;
}

export async function run(g: Globals, id: number, opts: RestartFlags): Promise<void> {
  const c = await g.context();
  const { stack, platform } = await platformOf(c, '`kafka restart-broker`');
  const ids = stack.topology.kafka.brokers.map((b) => b.id as number);
  if (!ids.includes(id)) throw new UsageError(`There is no broker ${id} in context ${c.name}.`, `Brokers: ${ids.join(', ')}. See \`ticketctl kafka brokers\`.`);
  const name = `kafka-${id}`;
  const [unit] = await platform.status([name]);
  const rec = unit && unit.state !== 'absent' && unit.state !== 'stopped' ? unit : undefined;
  if (rec) await assertBrokerIdentity(platform, name, rec.label);
  const { partitions, minIsr } = await withAdmin(c, (admin) => fetchPartitions(admin), { quick: true }).catch((err: unknown) => {
    throw new OpsError(`Cannot read the cluster's partitions to plan the restart: ${errorMessage(err)}`, {
      code: 'KAFKA_UNREACHABLE',
      hint: `See which brokers answer with \`ticketctl kafka brokers\`; with every broker down, start them all with \`ticketctl stack up\` (runbook 4.1.2).`,
      cause: err,
    });
  });
  const mine = partitions.filter((p) => p.replicas.includes(id));

  // Stopping a broker that is in an ISR which is already at min ISR stops writes there.
  const unsafe = rec ? mine.filter((p) => p.isr.includes(id) && p.isr.length - 1 < (minIsr[p.topic] ?? 1)) : [];
  if (unsafe.length) {
    throw new OpsError(
      `Stopping broker ${id} now would leave ${unsafe.length} partition(s) below min ISR (e.g. ${partitionLabel(unsafe[0]!)}: ISR ${unsafe[0]!.isr.join(',')}): writes with acks=all would fail there. Nothing was changed.`,
      {
        code: 'UNSAFE',
        hint: `Broker(s) ${outOfIsr(unsafe).join(', ') || '?'} are out of the ISR: bring them back first (\`ticketctl kafka brokers\`, \`ticketctl kafka restart-broker ${outOfIsr(unsafe)[0] ?? '<id>'} --dry-run\`), then retry.`,
      },
    );
  }
  const plan = restartPlan(
    {
      broker: id,
      component: name,
      stackDir: stack.paths.root,
      platform: platform.where,
      pid: pidOf(rec),
      unit: rec?.label ?? null,
      replicaOf: mine.length,
      leaderOf: mine.filter((p) => p.leader === id).map(partitionLabel),
      timeoutS: opts.timeout,
    },
    platform.timeouts(name).stopMs,
    platform.timeouts(name).startMs,
  );

  await runMutation(
    g,
    c,
    opts,
    plan,
    async () => {
      const t0 = Date.now();
      try {
        if (rec) await platform.stop([name], { progress: g.ui.progress });
        await platform.start([name], { progress: g.ui.progress, signal: g.signal });
      } catch (err) {
        // Interrupted or failed between stop and start: say how to get the broker back.
        const [now] = await platform.status([name]).catch(() => []);
        if (now?.state !== 'running') g.ui.err(`${name} is not running now. Start it with \`ticketctl stack up --only ${name}\` (log: \`ticketctl stack logs ${name}\`).`);
        throw err;
      }
      const after = await g.ui.progress.step(`wait for broker ${id} in every ISR`, () => waitForIsr(c, id, opts.timeout, g.signal));
      const displaced = after.filter((p) => !p.onPreferredLeader).map(partitionLabel);
      const [now] = await platform.status([name]);
      return { broker: id, pidBefore: pidOf(rec), pidAfter: pidOf(now), unitBefore: rec?.label ?? null, unitAfter: now?.label ?? null, backInIsrAfterMs: Date.now() - t0, notOnPreferredLeader: displaced };
    },
    (r) => [
      `Broker ${id} is back in every ISR after ${(r.backInIsrAfterMs / 1000).toFixed(1)} s (${r.unitBefore === null ? `started as ${r.unitAfter ?? '?'}` : r.unitBefore === r.unitAfter ? `${r.unitAfter} restarted` : `${r.unitBefore} replaced by ${r.unitAfter ?? '?'}`}).`,
      r.notOnPreferredLeader.length
        ? `${r.notOnPreferredLeader.length} partition(s) are not on their preferred leader. Next: \`ticketctl kafka elect-leaders --dry-run\`.`
        : 'Every partition is on its preferred leader.',
    ],
  );
}

const outOfIsr = (ps: PartitionView[]) => [...new Set(ps.flatMap((p) => p.replicas.filter((r) => !p.isr.includes(r))))].sort();

export function restartPlan(d: RestartPlanData, stopTimeoutMs: number, startTimeoutMs: number): Plan<RestartPlanData> {
  const steps: string[] = [];
  if (d.unit !== null) {
    steps.push(`stop ${d.component} (${d.unit}) with SIGTERM: a controlled shutdown hands its ${d.leaderOf.length} leadership(s) to in-sync replicas (up to ${stopTimeoutMs / 1000} s, then SIGKILL)`);
  }
  steps.push(`start ${d.component} (${d.platform}) and wait until it answers (up to ${startTimeoutMs / 1000} s)`);
  steps.push(`wait until broker ${d.broker} is back in the ISR of all ${d.replicaOf} partition(s) it replicates (up to ${d.timeoutS} s)`);
  const notes = [
    ...(d.unit === null ? [`${d.component} is not running: it is only started`] : []),
    'leadership does not move back on its own (auto.leader.rebalance.enable=false): afterwards run `ticketctl kafka elect-leaders --dry-run`',
  ];
  return { title: `restart broker ${d.broker} (${d.component})`, steps, notes, data: d };
}

async function waitForIsr(c: Context, id: number, timeoutS: number, signal: AbortSignal): Promise<PartitionView[]> {
  const admin = contextKafka(c, { clientId: 'ticketctl-restart' }).admin();
  try {
    await admin.connect();
    return await waitFor(
      async () => {
        const now = (await fetchPartitions(admin)).partitions;
        const missing = now.filter((p) => p.replicas.includes(id) && !p.isr.includes(id));
        if (missing.length) throw new Error(`${missing.length} partition(s) still without broker ${id} in the ISR, e.g. ${partitionLabel(missing[0]!)}`);
        return now;
      },
      { timeoutMs: timeoutS * 1000, intervalMs: 1000, what: `broker ${id} back in every ISR`, signal },
    );
  } catch (err) {
    if (!(err instanceof WaitTimeoutError)) throw err;
    throw new OpsError(`Broker ${id} runs again but did not rejoin every ISR within ${timeoutS} s: ${err.message}.`, {
      code: 'ISR_TIMEOUT',
      retriable: true,
      hint: `Read its log (\`ticketctl stack logs kafka-${id}\`); check progress with \`ticketctl kafka describe <topic>\`; a larger --timeout may be all it needs.`,
      cause: err,
    });
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
