import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { delay, waitFor } from '../lib/index.ts';
import { READER_GROUP_PREFIX } from '../contracts/index.ts';

// A bounded read of a topic: each partition from one offset up to (not including) another,
// with a throwaway consumer. kafkajs has no group-less consumer, so the reader joins a
// group of its own (`ticketctl-reader-<purpose>-<uuid>`), commits nothing, and deletes the
// group once it has left it: nothing it did stays behind for `consumers lag` to judge or
// for a broker to keep until offsets.retention expires.

export interface PartitionRange {
  partition: number;
  /** First offset to read. */
  from: bigint;
  /** Offset to stop before (a high watermark). */
  to: bigint;
}

export interface ReadOptions {
  /** A word for the group id (`dlq`), so a stray group says whose it is. */
  purpose: string;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

export async function readTopicRanges(kafka: Kafka, topic: string, ranges: PartitionRange[], onMessage: (partition: number, message: KafkaMessage) => void, o: ReadOptions): Promise<void> {
  const todo = ranges.filter((r) => r.to > r.from);
  if (todo.length === 0) return;
  const groupId = `${READER_GROUP_PREFIX}${o.purpose}-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1000, maxWaitTimeInMs: 200 });
  const reached = new Map<number, bigint>();
  const range = new Map(todo.map((r) => [r.partition, r]));
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: false });
    // Seek on every assignment: after a rebalance the group has no committed offset to resume from.
    consumer.on(consumer.events.GROUP_JOIN, () => {
      for (const r of todo) consumer.seek({ topic, partition: r.partition, offset: r.from.toString() });
    });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const r = range.get(partition);
        const offset = BigInt(message.offset);
        if (!r || offset < r.from || offset >= r.to) return;
        reached.set(partition, offset + 1n);
        onMessage(partition, message);
      },
    });
    await waitFor(() => todo.every((r) => (reached.get(r.partition) ?? r.from) >= r.to), { timeoutMs: o.timeoutMs, intervalMs: 100, what: `every partition of ${topic} read to its end`, signal: o.signal });
  } finally {
    await consumer.disconnect().catch(() => {});
    await deleteGroup(kafka, groupId);
  }
}

/**
 * Deletes the reader's group. Best effort: a group that is gone already is the goal, and
 * one the coordinator still counts as non-empty for a moment after the leave is retried a
 * few times; a failure here never fails the read it follows.
 */
async function deleteGroup(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await admin.deleteGroups([groupId]);
        return;
      } catch (err) {
        const codes = ((err as { groups?: Array<{ error?: { type?: string } }> }).groups ?? []).map((g) => g.error?.type);
        if (codes.includes('GROUP_ID_NOT_FOUND')) return;
        if (!codes.includes('NON_EMPTY_GROUP')) return;
        await delay(200 * (attempt + 1));
      }
    }
  } catch {
    // the broker went away mid-cleanup: the group expires with offsets.retention
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
