import { Kafka, logLevel, type Admin, type Consumer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import type { StackContext } from '../../stack/components/types.ts';
import { waitFor } from '../../lib/wait.ts';
import { uniqueName } from './stack.ts';
import { tolerateKafkajsStrayRejections } from '../../lib/kafkajs-strays.ts';

// Broker-kill tests provoke kafkajs's stray rejections on purpose (see lib/kafkajs-strays.ts).
tolerateKafkajsStrayRejections((m) => process.stderr.write(`${m}\n`));

/**
 * A client for tests, bootstrapped through the Toxiproxy proxies. Retries are raised past
 * the ~9 s it takes the cluster to fence a killed broker (kafkajs's default gives up first).
 */
export function testKafka(ctx: StackContext, brokers: string[] = ctx.topology.kafka.bootstrap): Kafka {
  return new Kafka({
    clientId: uniqueName('test'),
    brokers,
    connectionTimeout: 3000,
    requestTimeout: 15_000,
    retry: { retries: 12, initialRetryTime: 300, maxRetryTime: 5000 },
    logLevel: logLevel.NOTHING,
  });
}

export interface Tagged {
  topic: string;
  runId: string;
  values: string[];
}

/** Sends `count` messages tagged with a fresh run id, acks=-1 (all in-sync replicas), idempotent producer. */
export async function produceTagged(kafka: Kafka, topic: string, count: number): Promise<Tagged> {
  const runId = randomUUID();
  const values = Array.from({ length: count }, (_, i) => `${runId}:${i}`);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: values.map((value, i) => ({ key: `k${i}`, value, headers: { 'test-run': runId } })) });
  } finally {
    await producer.disconnect();
  }
  return { topic, runId, values };
}

/** Reads the topic from the beginning with a fresh group until every tagged value is back. */
export async function consumeTagged(kafka: Kafka, sent: Tagged, timeoutMs = 60_000): Promise<string[]> {
  const seen = new Set<string>();
  const consumer: Consumer = kafka.consumer({ groupId: uniqueName('test-group'), sessionTimeout: 10_000, heartbeatInterval: 1000 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: sent.topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.headers?.['test-run']?.toString() === sent.runId) seen.add(message.value!.toString());
      },
    });
    await waitFor(() => seen.size === sent.values.length, { timeoutMs, intervalMs: 200, what: `${sent.values.length} messages back from ${sent.topic} (got ${seen.size})` });
  } finally {
    await consumer.disconnect();
  }
  return [...seen].sort();
}

/** Produce then consume: proof that the topic takes and gives messages end to end. */
export async function roundTrip(kafka: Kafka, topic: string, count = 5, timeoutMs = 60_000): Promise<string[]> {
  return consumeTagged(kafka, await produceTagged(kafka, topic, count), timeoutMs);
}

/** Runs fn with a connected admin client of `kafka`, disconnecting afterwards. */
export async function withKafkaAdmin<T>(kafka: Kafka, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}
