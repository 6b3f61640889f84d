import kafkajs, { Kafka, logLevel, type Admin, type PartitionMetadata } from 'kafkajs';
import { OpsError } from '../lib/index.ts';
import type { Context } from './context.ts';

// kafkajs for a context: clients bootstrap from every broker address the context lists
// (the proxies, for the local stack). `quick` gives up at once, for health checks; loops
// that wait for the cluster (restart-broker) poll with their own deadline.

export interface KafkaClientOptions {
  /** Give up at once, for health checks. */
  quick?: boolean;
  /** Retry long enough to outlast the ~9 s the cluster takes to fence a killed broker (drills). */
  outlastFencing?: boolean;
  clientId?: string;
}

export function contextKafka(c: Pick<Context, 'kafka'>, options: KafkaClientOptions = {}): Kafka {
  const quick = options.quick ?? false;
  return new Kafka({
    clientId: options.clientId ?? 'ticketctl',
    brokers: c.kafka.brokers.map((b) => b.address),
    connectionTimeout: quick ? 1500 : 3000,
    requestTimeout: quick ? 4000 : options.outlastFencing ? 15_000 : 10_000,
    // Enough to ride out a leader moving (a second or two), not so much that a dead cluster
    // keeps the operator waiting: about 5 s before giving up.
    retry: quick ? { retries: 1, initialRetryTime: 200 } : options.outlastFencing ? { retries: 8, initialRetryTime: 300, maxRetryTime: 5000 } : { retries: 4, initialRetryTime: 300, maxRetryTime: 2000 },
    logLevel: logLevel.NOTHING,
  });
}

/** An admin client for fn; kafkajs errors become an OpsError that says what to run next. */
export async function withAdmin<T>(c: Context, fn: (admin: Admin) => Promise<T>, options: { quick?: boolean } = {}): Promise<T> {
  const admin = contextKafka(c, { ...options, clientId: 'ticketctl-admin' }).admin();
  try {
    await admin.connect();
    return await fn(admin);
  } catch (err) {
    if (!(err instanceof Error) || !err.name.startsWith('KafkaJS')) throw err;
    throw new OpsError(`Kafka in context ${c.name} did not answer: ${err.message}.`, {
      code: 'KAFKA_UNREACHABLE',
      retriable: true,
      hint: `See which brokers answer with \`ticketctl kafka brokers\` and the rest with \`ticketctl health\`${c.stack ? '; start what is down with `ticketctl stack up`' : ''}.`,
      cause: err,
    });
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** One partition as the runbooks read it. Keys are part of the documented JSON. */
export interface PartitionView {
  topic: string;
  partition: number;
  /** -1 when the partition has no leader (offline). */
  leader: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
  /** The first replica: where preferred leader election puts leadership. */
  preferredLeader: number;
  onPreferredLeader: boolean;
  underReplicated: boolean;
  belowMinIsr: boolean;
  offline: boolean;
}

export function classifyPartition(topic: string, p: Pick<PartitionMetadata, 'partitionId' | 'leader' | 'replicas' | 'isr'> & { offlineReplicas?: number[] }, minIsr: number): PartitionView {
  const preferredLeader = p.replicas[0] ?? -1;
  return {
    topic,
    partition: p.partitionId,
    leader: p.leader,
    replicas: [...p.replicas],
    isr: [...p.isr].sort((a, b) => a - b),
    offlineReplicas: [...(p.offlineReplicas ?? [])],
    preferredLeader,
    onPreferredLeader: p.leader >= 0 && p.leader === preferredLeader,
    underReplicated: p.isr.length < p.replicas.length,
    belowMinIsr: p.isr.length < minIsr,
    offline: p.leader < 0,
  };
}

/** Every partition of the given topics (default: all, internal ones included), sorted. */
export async function fetchPartitions(admin: Admin, topics?: string[]): Promise<{ partitions: PartitionView[]; minIsr: Record<string, number> }> {
  const names = topics ?? (await admin.listTopics());
  if (names.length === 0) return { partitions: [], minIsr: {} };
  const [meta, configs] = await Promise.all([
    admin.fetchTopicMetadata({ topics: names }),
    admin.describeConfigs({
      resources: names.map((name) => ({ type: kafkajs.ConfigResourceTypes.TOPIC, name, configNames: ['min.insync.replicas'] })),
      includeSynonyms: false,
    }),
  ]);
  const minIsr: Record<string, number> = {};
  for (const r of configs.resources) minIsr[r.resourceName] = Number(r.configEntries.find((e) => e.configName === 'min.insync.replicas')?.configValue ?? 1);
  const partitions = meta.topics.flatMap((t) => t.partitions.map((p) => classifyPartition(t.name, p, minIsr[t.name] ?? 1))).sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  return { partitions, minIsr };
}

export const partitionLabel = (p: Pick<PartitionView, 'topic' | 'partition'>) => `${p.topic}/${p.partition}`;
