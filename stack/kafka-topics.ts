import { Kafka, logLevel } from 'kafkajs';
import { ALL_TOPICS, TOPIC_LAYOUT } from '../service/events/topics.ts';
import type { Topology } from './topology.ts';

// Creates the saga's topics when missing (3 partitions, RF 3, min ISR 2); never alters or
// deletes an existing topic, so running it against a live cluster is always safe.

export interface TopicsOutcome {
  created: string[];
  existing: string[];
}

export function stackKafka(t: Topology, clientId = 'ticketctl'): Kafka {
  return new Kafka({
    clientId,
    brokers: t.kafka.bootstrap,
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { retries: 8, initialRetryTime: 300, maxRetryTime: 5000 },
    logLevel: logLevel.NOTHING,
  });
}

export async function ensureTopics(t: Topology, topics: readonly string[] = ALL_TOPICS): Promise<TopicsOutcome> {
  const admin = stackKafka(t).admin();
  await admin.connect();
  try {
    const present = new Set(await admin.listTopics());
    const missing = topics.filter((name) => !present.has(name));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        timeout: 30_000,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: TOPIC_LAYOUT.partitions,
          replicationFactor: TOPIC_LAYOUT.replicationFactor,
          configEntries: [{ name: 'min.insync.replicas', value: String(TOPIC_LAYOUT.minInsyncReplicas) }],
        })),
      });
    }
    return { created: missing, existing: topics.filter((name) => present.has(name)) };
  } finally {
    await admin.disconnect();
  }
}
