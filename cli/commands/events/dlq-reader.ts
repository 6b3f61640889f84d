import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import { OpsError, WaitTimeoutError, waitFor } from '../../../lib/index.ts';
import { TOPICS } from '../../../contracts/index.ts';
import { contextKafka } from '../../../clients/index.ts';
import type { Context } from '../../../clients/index.ts';
import type { RawDlqMessage } from './dlq-message.ts';

// Reads payment.dlq from the beginning to its current end with a throwaway consumer: a
// fresh group id per run and autoCommit off, so no offset is ever committed, least of all
// for the service's group. The end is each partition's high watermark as the admin API
// reports it before reading, so the read finishes even while new dead letters arrive.

export const DLQ_TOPIC = TOPICS.paymentDlq;
const READ_TIMEOUT_MS = 60_000;

export async function readDlq(c: Context, signal?: AbortSignal): Promise<RawDlqMessage[]> {
  const kafka = contextKafka(c, { clientId: 'ticketctl-dlq-reader' });
  try {
    return await readAll(kafka, signal);
  } catch (err) {
    if (err instanceof WaitTimeoutError) {
      throw new OpsError(`Reading ${DLQ_TOPIC} did not reach its end within ${READ_TIMEOUT_MS / 1000} s: ${err.message}.`, {
        code: 'DLQ_READ_TIMEOUT',
        retriable: true,
        hint: 'Check the brokers with `ticketctl kafka describe payment.dlq` and try again.',
        cause: err,
      });
    }
    if (!(err instanceof Error) || !err.name.startsWith('KafkaJS')) throw err;
    throw new OpsError(`Kafka in context ${c.name} did not answer while reading ${DLQ_TOPIC}: ${err.message}.`, {
      code: 'KAFKA_UNREACHABLE',
      retriable: true,
      hint: 'See `ticketctl kafka brokers` and `ticketctl health`.',
      cause: err,
    });
  }
}

async function readAll(kafka: Kafka, signal?: AbortSignal): Promise<RawDlqMessage[]> {
  const admin = kafka.admin();
  let ends: Map<number, bigint>;
  try {
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(DLQ_TOPIC);
    ends = new Map(offsets.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => [o.partition, BigInt(o.high) - 1n]));
  } finally {
    await admin.disconnect().catch(() => {});
  }
  if (ends.size === 0) return [];

  const out: RawDlqMessage[] = [];
  const done = new Set<number>();
  const consumer: Consumer = kafka.consumer({ groupId: `ticketctl-dlq-reader-${randomUUID()}`, sessionTimeout: 10_000, heartbeatInterval: 1000, maxWaitTimeInMs: 200 });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic: DLQ_TOPIC, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const last = ends.get(partition);
        if (last === undefined || BigInt(message.offset) > last) return;
        out.push({
          partition,
          offset: message.offset,
          timestamp: message.timestamp,
          key: message.key,
          value: message.value,
          headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v.map(String).join(',') : String(v ?? '')])),
        });
        if (BigInt(message.offset) >= last) done.add(partition);
      },
    });
    await waitFor(() => done.size === ends.size, { timeoutMs: READ_TIMEOUT_MS, intervalMs: 100, what: `every partition of ${DLQ_TOPIC} read to its end`, signal });
  } finally {
    await consumer.disconnect().catch(() => {});
  }
  return out.sort((a, b) => Number(a.timestamp) - Number(b.timestamp) || a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}
