import { UsageError } from '../../../lib/index.ts';
import { fetchPartitions, withAdmin, type PartitionView } from '../../../clients/index.ts';
import { ExitError } from '../../shared/exit-code.ts';
import { resolveOutput } from '../../shared/ui.ts';
import type { Globals } from '../../shared/globals.ts';

// Runbook 4.1.1, last step (`kafka-topics --describe`): each partition's leader, replicas
// and ISR; which are under-replicated and which are not on their preferred leader.
// Exit 1 when a partition is offline or under-replicated.

export interface TopicReport {
  context: string;
  topic: string;
  replicationFactor: number;
  minInsyncReplicas: number;
  summary: { partitions: number; underReplicated: number; belowMinIsr: number; offline: number; notOnPreferredLeader: number };
  partitions: PartitionView[];
}

export async function describeTopic(g: Pick<Globals, 'context'>, topic: string): Promise<TopicReport> {
  const c = await g.context();
  return withAdmin(c, async (admin) => {
    const names = await admin.listTopics();
    if (!names.includes(topic)) throw new UsageError(`Topic "${topic}" does not exist in context ${c.name}.`, `Topics: ${names.sort().join(', ')}.`);
    const { partitions, minIsr } = await fetchPartitions(admin, [topic]);
    const count = (f: (p: PartitionView) => boolean) => partitions.filter(f).length;
    return {
      context: c.name,
      topic,
      replicationFactor: partitions[0]?.replicas.length ?? 0,
      minInsyncReplicas: minIsr[topic] ?? 1,
      summary: {
        partitions: partitions.length,
        underReplicated: count((p) => p.underReplicated),
        belowMinIsr: count((p) => p.belowMinIsr),
        offline: count((p) => p.offline),
        notOnPreferredLeader: count((p) => !p.onPreferredLeader),
      },
      partitions,
    };
  });
}

export async function run(g: Globals, topic: string, opts: { output?: string }): Promise<void> {
  const r = await describeTopic(g, topic);
  const { ui } = g;
  const c = ui.color;
  if (resolveOutput(opts.output, ui.isTty) === 'json') ui.json(r);
  else {
    ui.out(`Topic ${r.topic}: ${r.summary.partitions} partitions, replication factor ${r.replicationFactor}, min ISR ${r.minInsyncReplicas}`);
    const state = (p: PartitionView) => (p.offline ? c.red('OFFLINE') : p.belowMinIsr ? c.red('below min ISR') : p.underReplicated ? c.yellow('under-replicated') : c.green('ok'));
    ui.table(
      ['PARTITION', 'LEADER', 'REPLICAS', 'ISR', 'PREFERRED', 'STATE'],
      r.partitions.map((p) => [
        String(p.partition),
        p.leader < 0 ? c.red('none') : String(p.leader),
        p.replicas.join(','),
        p.isr.join(','),
        p.onPreferredLeader ? 'yes' : c.yellow(`no (${p.preferredLeader})`),
        state(p),
      ]),
    );
  }
  const s = r.summary;
  if (s.notOnPreferredLeader && !s.offline) ui.err(`${s.notOnPreferredLeader} partition(s) not on their preferred leader. Next: \`ticketctl kafka elect-leaders --topic ${topic} --dry-run\`.`);
  if (s.offline || s.underReplicated) {
    throw new ExitError(1, `${topic}: ${s.underReplicated} under-replicated, ${s.offline} offline. Next: \`ticketctl kafka brokers\` to find the missing broker; \`ticketctl health\` for the rest.`);
  }
}
