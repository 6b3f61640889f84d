import { ALL_TOPICS } from '../../../contracts/index.ts';
import { describeQuorumStatus, describeClusterVia } from '../../../stack/index.ts';
import { fetchPartitions, withAdmin, bootstrapOf, kafkaToolsFor, toolFailure, parseQuorumStatus } from '../../../clients/index.ts';
import type { Context } from '../../../clients/index.ts';
import { down, runCheck, up, warn, type ComponentHealth } from './check.ts';

// Kafka: each broker asked on its own (the only seed, through its proxy for the local
// stack), the KRaft controller quorum (MetadataQuorumCommand: kafkajs has no
// DescribeQuorum), and every topic's replicas against its ISR and min.insync.replicas.

export const brokerName = (b: { id: number | null; address: string }) => (b.id === null ? `kafka@${b.address}` : `kafka-${b.id}`);

export function brokerCheck(c: Context, b: Context['kafka']['brokers'][number]): Promise<ComponentHealth> {
  return runCheck({ component: brokerName(b), group: 'kafka', endpoint: b.address }, async () => {
    const view = await describeClusterVia(b.address);
    const self = view.brokers.find((x) => `${x.host}:${x.port}` === b.address || x.nodeId === b.id);
    const live = `${view.brokers.length} live broker(s): ${view.brokers
      .map((x) => x.nodeId)
      .sort()
      .join(',')}`;
    if (!self) return b.id === null ? warn(`answers, but no live broker advertises ${b.address}; ${live}`) : down(`answers, but broker ${b.id} is not registered (fenced or starting); ${live}`);
    return up(`broker ${self.nodeId}; ${live}`);
  });
}

export function quorumCheck(c: Context, env: NodeJS.ProcessEnv): Promise<ComponentHealth> {
  return runCheck({ component: 'kafka-quorum', group: 'kafka', endpoint: 'KRaft controllers', timeoutMs: 30_000 }, async () => {
    const text = await describeQuorumStatus(kafkaToolsFor(c, env), bootstrapOf(c)).catch((err: unknown) => {
      throw new Error(`MetadataQuorumCommand failed: ${toolFailure(err)}`);
    });
    const q = parseQuorumStatus(text);
    const detail = `leader ${q.leaderId}, epoch ${q.leaderEpoch}, voters ${q.voters.join(',')}, high watermark ${q.highWatermark}, max follower lag ${q.maxFollowerLag} (${q.maxFollowerLagTimeMs} ms)`;
    if (q.leaderId < 0) return down(`no quorum leader; ${detail}`);
    // A voter that stopped fetching makes the lag grow (its lag time reads -1 once it has
    // never caught up with this leader): the quorum still commits with a majority, but one
    // more loss would stop it.
    if (q.maxFollowerLag > 0 && (q.maxFollowerLagTimeMs < 0 || q.maxFollowerLagTimeMs > 5000)) return warn(`a voter is behind (down?); ${detail}`);
    return up(detail);
  });
}

export function topicsCheck(c: Context): Promise<ComponentHealth> {
  return runCheck({ component: 'kafka-topics', group: 'kafka', endpoint: c.kafka.brokers.map((b) => b.address).join(','), timeoutMs: 15_000 }, () =>
    withAdmin(
      c,
      async (admin) => {
        const { partitions } = await fetchPartitions(admin);
        const topics = new Set(partitions.map((p) => p.topic));
        const missing = ALL_TOPICS.filter((t) => !topics.has(t));
        const count = (f: (p: (typeof partitions)[number]) => boolean) => partitions.filter(f).length;
        const offline = count((p) => p.offline);
        const belowMin = count((p) => !p.offline && p.belowMinIsr);
        const under = count((p) => p.underReplicated);
        const displaced = count((p) => !p.offline && !p.onPreferredLeader);
        const detail = `${topics.size} topics, ${partitions.length} partitions: ${under} under-replicated, ${belowMin} below min ISR, ${offline} offline, ${displaced} not on preferred leader`;
        if (missing.length) return down(`missing topics ${missing.join(', ')}; ${detail}`);
        if (offline || belowMin) return down(`${detail}; writes with acks=all fail there`);
        if (under) return warn(`${detail}; see \`ticketctl kafka describe <topic>\``);
        if (displaced) return warn(`${detail}; run \`ticketctl kafka elect-leaders --dry-run\``);
        return up(detail);
      },
      { quick: true },
    ),
  );
}
