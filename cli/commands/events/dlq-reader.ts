import type { Kafka } from 'kafkajs';
import { OpsError, WaitTimeoutError } from '../../../lib/index.ts';
import { TOPICS } from '../../../contracts/index.ts';
import { contextKafka, readTopicRanges } from '../../../clients/index.ts';
import type { Context, PartitionRange } from '../../../clients/index.ts';
import type { RawDlqMessage } from './dlq-message.ts';

// Reads payment.dlq from the beginning to its current end with a throwaway reader
// (clients/topic-reader.ts: a group of its own, nothing committed, deleted afterwards), so
// no offset is ever committed, least of all for the service's group. The end is each partition's high watermark as the admin API
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
  let ranges: PartitionRange[];
  try {
    await admin.connect();
    ranges = (await admin.fetchTopicOffsets(DLQ_TOPIC)).map((o) => ({ partition: o.partition, from: BigInt(o.low), to: BigInt(o.high) }));
  } finally {
    await admin.disconnect().catch(() => {});
  }
  const out: RawDlqMessage[] = [];
  await readTopicRanges(
    kafka,
    DLQ_TOPIC,
    ranges,
    (partition, message) =>
      out.push({
        partition,
        offset: message.offset,
        timestamp: message.timestamp,
        key: message.key,
        value: message.value,
        headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v.map(String).join(',') : String(v ?? '')])),
      }),
    { purpose: 'dlq', timeoutMs: READ_TIMEOUT_MS, signal },
  );
  return out.sort((a, b) => Number(a.timestamp) - Number(b.timestamp) || a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}
