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

/** A consumer that joined its group but received no batch at all within the stall limit. */
export class ConsumerStalled extends Error {}

/**
 * Reads the topic from the beginning with a fresh group until every tagged value is back.
 * With `stallMs`: throws ConsumerStalled (saying what the consumer did) when not one batch
 * arrived by then, though the topic holds at least the tagged messages.
 */
export async function consumeTagged(kafka: Kafka, sent: Tagged, timeoutMs = 60_000, stallMs?: number): Promise<string[]> {
  const seen = new Set<string>();
  const consumer: Consumer = kafka.consumer({ groupId: uniqueName('test-group'), sessionTimeout: 10_000, heartbeatInterval: 1000 });
  const did = { joined: '', fetches: 0, batches: 0, requestTimeouts: 0 };
  consumer.on(consumer.events.GROUP_JOIN, (e) => (did.joined = JSON.stringify(e.payload.memberAssignment)));
  consumer.on(consumer.events.FETCH, () => did.fetches++);
  consumer.on(consumer.events.START_BATCH_PROCESS, () => did.batches++);
  consumer.on(consumer.events.REQUEST_TIMEOUT, () => did.requestTimeouts++);
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: sent.topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.headers?.['test-run']?.toString() === sent.runId) seen.add(message.value!.toString());
      },
    });
    const t0 = Date.now();
    if (stallMs !== undefined)
      await waitFor(() => did.batches > 0, { timeoutMs: stallMs, intervalMs: 200, what: `a first batch from ${sent.topic}` }).catch(() => {
        throw new ConsumerStalled(`no batch from ${sent.topic} in ${stallMs / 1000} s: ${JSON.stringify(did)}`);
      });
    await waitFor(() => seen.size === sent.values.length, {
      timeoutMs: Math.max(1000, timeoutMs - (Date.now() - t0)),
      intervalMs: 200,
      what: `${sent.values.length} messages back from ${sent.topic} (got ${seen.size}; consumer ${JSON.stringify(did)})`,
    });
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
