import type { GroupDescription, GroupMember, PartitionKey } from './group-offsets.ts';
import { judgePartition, lagOf, worstVerdict, type OffsetSample, type Verdict } from './verdict.ts';

// One group's part of `ticketctl consumers lag`: every sampled partition judged
// (verdict.ts) with its owner, and the group's roll-up. Pure: the samples and the group
// description are gathered by lag.ts.

/** One partition in the report. Keys are documented in docs/ticketctl.md. */
export interface PartitionLag {
  topic: string;
  partition: number;
  /** null: the group never committed an offset here. */
  committed: number | null;
  logStart: number;
  logEnd: number;
  lag: number;
  /** Lag at each sample, oldest first. */
  lagSamples: number[];
  /** clientId of the member that owns the partition, null when none does. */
  owner: string | null;
  verdict: Verdict;
  reason: string;
}

export interface GroupLag {
  group: string;
  state: string;
  verdict: Verdict;
  /** Why the group's verdict, when it is not simply its worst partition's. */
  reason: string | null;
  totalLag: number;
  members: Array<{ memberId: string; clientId: string; host: string; partitions: string[] }>;
  topics: string[];
  partitions: PartitionLag[];
}

/** The member owning topic/partition, null when none does. */
export function ownerOf(d: GroupDescription, topic: string, partition: number): GroupMember | null {
  return d.members.find((m) => m.assignment[topic]?.includes(partition)) ?? null;
}

export function judgeGroup(d: GroupDescription, topics: string[], history: Map<PartitionKey, OffsetSample[]>): GroupLag {
  // Ownership is only meaningful once the group settled; during a rebalance it is unknown.
  const settled = d.state === 'Stable';
  const partitions = [...history.entries()].map(([key, samples]): PartitionLag => {
    const i = key.lastIndexOf('/');
    const topic = key.slice(0, i);
    const partition = Number(key.slice(i + 1));
    const owner = ownerOf(d, topic, partition);
    const j = judgePartition({ samples, members: d.members.length, assigned: settled ? owner !== null : null });
    const s = samples.at(-1)!;
    return { topic, partition, committed: s.committed, logStart: s.logStart, logEnd: s.logEnd, lag: j.lag, lagSamples: samples.map(lagOf), owner: owner?.clientId ?? null, verdict: j.verdict, reason: j.reason };
  });
  partitions.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  const unknown = partitions.length === 0 && d.members.length === 0;
  return {
    group: d.group,
    state: d.state,
    verdict: unknown ? 'STOP' : worstVerdict(partitions.map((p) => p.verdict)),
    reason: unknown ? 'no member and no committed offset: nothing consumes for this group (or the group id is wrong)' : null,
    totalLag: partitions.reduce((sum, p) => sum + p.lag, 0),
    members: d.members.map((m) => ({
      memberId: m.memberId,
      clientId: m.clientId,
      host: m.host,
      partitions: Object.entries(m.assignment)
        .flatMap(([t, ps]) => ps.map((p) => `${t}/${p}`))
        .sort(),
    })),
    topics,
    partitions,
  };
}
