import type { Plan } from '../../shared/mutation.ts';
import { partitionLabel, type PartitionView } from '../../../clients/index.ts';

// Which partitions a preferred leader election would move, as a mutation plan. Pure, so
// the plan the operator reviews is tested without a cluster.

export interface ElectionPlanData {
  /** The exact tool run: LeaderElectionCommand with these partitions in its JSON file. */
  tool: { mainClass: 'org.apache.kafka.tools.LeaderElectionCommand'; args: string[] };
  elect: Array<{ topic: string; partition: number; leader: number; preferredLeader: number }>;
  /** Not on their preferred leader, but that replica is not in the ISR: cannot be elected yet. */
  blocked: Array<{ topic: string; partition: number; leader: number; preferredLeader: number; isr: number[] }>;
  selection: { topic: string | null; partition: number | null };
}

export function electionPlan(partitions: PartitionView[], bootstrap: string, selection: ElectionPlanData['selection'], verifyTimeoutS: number): Plan<ElectionPlanData> {
  const displaced = partitions.filter((p) => !p.onPreferredLeader);
  const ready = displaced.filter((p) => p.isr.includes(p.preferredLeader));
  const blocked = displaced.filter((p) => !p.isr.includes(p.preferredLeader));
  const scope = selection.topic === null ? 'every topic' : selection.partition === null ? `topic ${selection.topic}` : `${selection.topic}/${selection.partition}`;
  const steps = ready.map((p) => `${partitionLabel(p)}: leader ${p.leader < 0 ? 'none' : p.leader} -> preferred ${p.preferredLeader}`);
  if (steps.length) steps.push(`verify: each of these ${ready.length} partition(s) is led by its preferred replica (up to ${verifyTimeoutS} s)`);
  const notes: string[] = [];
  if (blocked.length) {
    const which = blocked.map((p) => `${partitionLabel(p)} (${p.preferredLeader} not in ISR ${p.isr.join(',') || '-'})`).join(', ');
    notes.push(
      `skipped ${blocked.length} partition(s) whose preferred replica is not in the ISR: ${which}; wait until broker(s) ${[...new Set(blocked.map((p) => p.preferredLeader))].join(', ')} catch up (\`ticketctl kafka describe <topic>\`), then run this again`,
    );
  }
  if (!displaced.length) notes.push(`all ${partitions.length} partition(s) in ${scope} are already on their preferred leader`);
  return {
    title: ready.length ? `preferred leader election for ${ready.length} of ${partitions.length} partition(s) in ${scope}` : `preferred leader election in ${scope}: no partition can move`,
    steps,
    notes,
    data: {
      tool: { mainClass: 'org.apache.kafka.tools.LeaderElectionCommand', args: ['--bootstrap-server', bootstrap, '--election-type', 'preferred', '--path-to-json-file', '<temporary file listing data.elect>'] },
      elect: ready.map((p) => ({ topic: p.topic, partition: p.partition, leader: p.leader, preferredLeader: p.preferredLeader })),
      blocked: blocked.map((p) => ({ topic: p.topic, partition: p.partition, leader: p.leader, preferredLeader: p.preferredLeader, isr: p.isr })),
      selection,
    },
  };
}
