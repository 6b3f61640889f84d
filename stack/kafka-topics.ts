import { Kafka, logLevel, type Admin } from 'kafkajs';
import { ALL_TOPICS, TOPIC_LAYOUT } from '../contracts/index.ts';
import type { Topology } from '../contracts/index.ts';
import { waitFor } from '../lib/index.ts';

// Creates the saga's topics when missing (3 partitions, RF 3, min ISR 2); never alters or
// deletes an existing topic, so running it against a live cluster is always safe.

export interface TopicsOutcome {
  created: string[];
  existing: string[];
}

/** A kafkajs client through the proxies. `quick` gives up at once: for status, not for work. */
export function stackKafka(t: Topology, clientId = 'ticketctl', quick = false): Kafka {
  return new Kafka({
    clientId,
    brokers: t.kafka.bootstrap,
    connectionTimeout: quick ? 1500 : 3000,
    requestTimeout: quick ? 4000 : 10_000,
    retry: quick ? { retries: 1, initialRetryTime: 200 } : { retries: 8, initialRetryTime: 300, maxRetryTime: 5000 },
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
      // kafkajs's own waitForLeaders can leave an unhandled rejection behind when the new
      // topic is not yet in a broker's metadata cache; wait with our own loop instead.
      await admin.createTopics({
        waitForLeaders: false,
        timeout: 30_000,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: TOPIC_LAYOUT.partitions,
          replicationFactor: TOPIC_LAYOUT.replicationFactor,
          configEntries: [{ name: 'min.insync.replicas', value: String(TOPIC_LAYOUT.minInsyncReplicas) }],
        })),
      });
    }
    if (missing.length > 0) {
      await waitFor(
        async () => {
          const meta = await admin.fetchTopicMetadata({ topics: missing });
          return meta.topics.every((t) => t.partitions.length === TOPIC_LAYOUT.partitions && t.partitions.every((p) => p.leader >= 0));
        },
        { timeoutMs: 60_000, intervalMs: 300, what: `leaders for new topics ${missing.join(', ')}` },
      );
    }
    await ensureOffsetsTopic(admin);
    return { created: missing, existing: topics.filter((name) => present.has(name)) };
  } finally {
    await admin.disconnect();
  }
}

/**
 * Kafka creates `__consumer_offsets` (RF 3) on the first group-coordinator lookup, and
 * cannot while a broker is down: a fresh cluster that loses a broker before any consumer
 * group ever ran would leave every consumer waiting. Trigger the creation at start-up.
 */
async function ensureOffsetsTopic(admin: Admin): Promise<void> {
  await waitFor(
    async () => {
      await admin.describeGroups(['ticketctl-bootstrap']); // a coordinator lookup creates the topic
      const meta = await admin.fetchTopicMetadata({ topics: ['__consumer_offsets'] });
      return meta.topics[0]?.partitions.every((p) => p.leader >= 0) === true;
    },
    { timeoutMs: 60_000, intervalMs: 500, what: 'the __consumer_offsets topic to exist with leaders' },
  );
}
