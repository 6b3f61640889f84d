import { ALL_TOPICS } from '../../../contracts/index.ts';
import { OpsError, errorMessage } from '../../../lib/index.ts';
import { describeQuorumStatus, type KafkaToolsEnv } from '../../../stack/index.ts';
import { fetchPartitions, withAdmin, bootstrapOf, kafkaToolsFor, toolFailure, parseQuorumStatus, surveyBrokers } from '../../../clients/index.ts';
import type { BrokerSurvey, BrokerProbe, Context } from '../../../clients/index.ts';
import { down, runCheck, skipped, up, warn, type ComponentHealth } from './check.ts';

// Kafka: each broker asked on its own (the only seed, through its proxy for the local
// stack; behind a bootstrap alias, each broker the metadata lists, at its advertised
// address), the KRaft controller quorum (MetadataQuorumCommand: kafkajs has no
// DescribeQuorum; not checked where Java or Kafka's jars are missing), and every topic's
// replicas against its ISR and min.insync.replicas.

export const brokerName = (b: Pick<BrokerProbe, 'id' | 'endpoint'>) => (b.id === null ? `kafka@${b.endpoint}` : `kafka-${b.id}`);

/** One row per broker, as the survey judged it (clients/kafka-survey.ts): the context's addresses first, then what the metadata added. */
export async function brokerChecks(c: Context): Promise<ComponentHealth[]> {
  const spec = { group: 'kafka' as const };
  let survey: BrokerSurvey;
  try {
    survey = await surveyBrokers(c);
  } catch (err) {
    return [{ ...spec, component: 'kafka', endpoint: c.kafka.brokers.map((b) => b.address).join(','), latencyMs: null, ...down(`the broker survey failed: ${errorMessage(err)}`) }];
  }
  const live = `${survey.live.length} live broker(s): ${survey.live.join(',') || 'none'}`;
  return survey.rows.map((r) => {
    const outcome = r.alias
      ? up(`bootstrap alias (no broker advertises it); lists ${r.lists?.join(',') || 'no broker'}`)
      : r.reachable
        ? up(`broker ${r.id}${r.learnedFrom === 'metadata' ? ' (from the metadata)' : ''}; ${live}`)
        : down(`${r.error}; ${live}`);
    return { ...spec, component: brokerName(r), endpoint: r.endpoint ?? '(not advertised)', latencyMs: r.latencyMs, ...outcome };
  });
}

export function quorumCheck(c: Context, env: NodeJS.ProcessEnv): Promise<ComponentHealth> {
  const spec = { component: 'kafka-quorum', group: 'kafka' as const, endpoint: 'KRaft controllers', timeoutMs: 30_000 };
  let tools: KafkaToolsEnv;
  try {
    tools = kafkaToolsFor(c, env);
  } catch (err) {
    // Without Java or Kafka's jars the quorum cannot be asked (kafkajs has no DescribeQuorum): not checked, not down.
    if (err instanceof OpsError && err.code === 'MISSING_TOOL') return Promise.resolve(skipped(spec, `not checked: ${err.message} ${err.hint ?? ''}`.trim()));
    throw err;
  }
  return runCheck(spec, async () => {
    const text = await describeQuorumStatus(tools, bootstrapOf(c)).catch((err: unknown) => {
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
