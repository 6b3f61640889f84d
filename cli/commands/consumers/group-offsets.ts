import kafkajs, { type Admin } from 'kafkajs';
import { OpsError, waitFor } from '../../../lib/index.ts';
import type { OffsetSample } from './verdict.ts';

// What the group coordinator and the partition leaders say about one consumer group: its
// members and who owns which partition (DescribeGroups), its committed offsets
// (OffsetFetch) and each partition's log start and end (ListOffsets). kafkajs's
// fetchOffsets without topics returns nothing, so the topics are named explicitly.

export interface GroupMember {
  memberId: string;
  clientId: string;
  host: string;
  /** Topic -> partitions assigned to this member. */
  assignment: Record<string, number[]>;
  /** Topics the member subscribed to. */
  subscription: string[];
}

export interface GroupDescription {
  group: string;
  /** Kafka's group state: Stable, PreparingRebalance, CompletingRebalance, Empty, Dead. */
  state: string;
  members: GroupMember[];
}

export async function describeGroup(admin: Admin, group: string): Promise<GroupDescription> {
  const { groups } = await admin.describeGroups([group]);
  const g = groups[0];
  if (!g) return { group, state: 'Dead', members: [] };
  const { MemberMetadata, MemberAssignment } = kafkajs.AssignerProtocol;
  const members = g.members.map((m) => {
    // Decoding fails for a non-consumer protocol (e.g. Kafka Connect); such members own nothing we can show.
    let assignment: Record<string, number[]> = {};
    let subscription: string[] = [];
    try {
      assignment = MemberAssignment.decode(m.memberAssignment)?.assignment ?? {};
      subscription = MemberMetadata.decode(m.memberMetadata)?.topics ?? [];
    } catch {
      /* leave empty */
    }
    return { memberId: m.memberId, clientId: m.clientId, host: m.clientHost.replace(/^\//, ''), assignment, subscription };
  });
  members.sort((a, b) => a.clientId.localeCompare(b.clientId) || a.memberId.localeCompare(b.memberId));
  return { group, state: g.state, members };
}

/** Topics the group consumes: what its members subscribe to, plus every topic it has committed offsets for. */
export async function groupTopics(admin: Admin, d: GroupDescription): Promise<string[]> {
  const subscribed = new Set(d.members.flatMap((m) => m.subscription));
  const candidates = (await admin.listTopics()).filter((t) => !t.startsWith('__') && !subscribed.has(t));
  const committed = candidates.length ? await admin.fetchOffsets({ groupId: d.group, topics: candidates }) : [];
  for (const t of committed) if (t.partitions.some((p) => Number(p.offset) >= 0)) subscribed.add(t.topic);
  return [...subscribed].sort();
}

export type PartitionKey = `${string}/${number}`;

/** One sample of every partition of the topics: committed offset and log ends. */
export async function sampleOffsets(admin: Admin, group: string, topics: string[]): Promise<Map<PartitionKey, OffsetSample>> {
  if (topics.length === 0) return new Map();
  const atMs = Date.now();
  const [committed, ends] = await Promise.all([admin.fetchOffsets({ groupId: group, topics }), Promise.all(topics.map(async (topic) => ({ topic, partitions: await logEnds(admin, topic) })))]);
  const commits = new Map<PartitionKey, number | null>();
  for (const t of committed) for (const p of t.partitions) commits.set(`${t.topic}/${p.partition}`, Number(p.offset) >= 0 ? Number(p.offset) : null);
  const out = new Map<PartitionKey, OffsetSample>();
  for (const t of ends) {
    for (const p of [...t.partitions].sort((a, b) => a.partition - b.partition)) {
      const key: PartitionKey = `${t.topic}/${p.partition}`;
      out.set(key, { atMs, committed: commits.get(key) ?? null, logStart: Number(p.low), logEnd: Number(p.high) });
    }
  }
  return out;
}

/**
 * A topic's log start and end offsets. kafkajs 2.2.4's fetchTopicOffsets throws a TypeError
 * ("Cannot destructure property 'partitions' of 'high.pop(...)'") when a ListOffsets answer
 * leaves the topic out, which happens for a while after a topic is recreated or leadership
 * moves (e.g. right after `kafka recover-cluster`): refresh its metadata and ask again.
 */
async function logEnds(admin: Admin, topic: string): Promise<Awaited<ReturnType<Admin['fetchTopicOffsets']>>> {
  try {
    return await waitFor(
      async () => {
        try {
          return await admin.fetchTopicOffsets(topic);
        } catch (err) {
          await admin.fetchTopicMetadata({ topics: [topic] }).catch(() => undefined);
          throw err;
        }
      },
      { timeoutMs: 10_000, intervalMs: 500, what: `the log-end offsets of ${topic}` },
    );
  } catch (err) {
    throw new OpsError(`Could not read the log-end offsets of ${topic}: ${err instanceof Error ? err.message : String(err)}.`, {
      code: 'OFFSETS_UNAVAILABLE',
      hint: `Check the topic's leaders: \`ticketctl kafka describe ${topic}\`, then run \`ticketctl consumers lag\` again.`,
      cause: err,
    });
  }
}
