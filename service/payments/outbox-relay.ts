import type { Producer } from 'kafkajs';
import type { RowDataPacket } from 'mysql2/promise';
import { withConnection, type Db } from '../db/connection.ts';
import { delay } from '../../lib/index.ts';

// Publishes outbox rows to Kafka. Each instance runs one relay; rows are claimed with a
// lease (claimed_by / claimed_until), so instances share the work without publishing a
// row twice in the normal case, and no database transaction or lock is held while Kafka
// is slow or down. If a send fails the claim is released and the rows wait for the next
// round: publication is delayed, never lost. A send that timed out may still have reached
// Kafka, so delivery is at-least-once; consumers dedupe by event id.

export interface RelayOptions {
  db: Db;
  /** Who claims rows (the instance id), for operators reading the outbox. */
  owner: string;
  producer: Producer;
  batchSize?: number;
  idleMs?: number;
  sendTimeoutMs?: number;
  onPublished?: (count: number) => void;
  onError?: (err: unknown) => void;
}

export interface OutboxRelay {
  /** Publishes one batch of due rows; returns how many were published. */
  publishBatch(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
  /** Wakes an idle relay at once (called after a local commit wrote to the outbox). */
  nudge(): void;
}

export function createOutboxRelay(o: RelayOptions): OutboxRelay {
  const batchSize = o.batchSize ?? 200;
  const idleMs = o.idleMs ?? 250;
  const sendTimeoutMs = o.sendTimeoutMs ?? 15_000;
  let running = false;
  let loop: Promise<void> | undefined;
  let wake: AbortController = new AbortController();

  const claimer = `${o.owner}-${process.pid}`;
  const leaseMs = sendTimeoutMs + 5000;

  async function publishBatch(): Promise<number> {
    // 1. Claim due rows with a lease (one short autocommit statement; an expired lease of
    //    a crashed relay is claimable again). 2. Send. 3. Mark published, or release.
    const rows = await withConnection(o.db, async (conn) => {
      await conn.query(
        `UPDATE outbox SET claimed_by = ?, claimed_until = NOW(3) + INTERVAL ? MICROSECOND
          WHERE published_at IS NULL AND available_at <= NOW(3) AND (claimed_until IS NULL OR claimed_until < NOW(3))
          ORDER BY id LIMIT ?`,
        [claimer, leaseMs * 1000, batchSize],
      );
      const [claimed] = await conn.query<RowDataPacket[]>('SELECT id, topic, message_key, payload, headers FROM outbox WHERE claimed_by = ? AND published_at IS NULL AND claimed_until >= NOW(3) ORDER BY id', [
        claimer,
      ]);
      return claimed;
    });
    if (rows.length === 0) return 0;
    // One message per produce request: kafkajs 2.2.4 can resolve a
    // sendBatch that spans several brokers while silently dropping the messages of a
    // partition whose leader moved during its retry (the retry skips brokers that already
    // answered: tulios/kafkajs#1303, fix unmerged in #1798). The kafka-broker-killed drill
    // caught it: payments marked published, never on payment.try, PENDING forever. With one
    // partition per request, a retry always goes to that partition's current leader.
    // Requests for different payments run side by side (order matters only within one
    // payment's events, which share a key and go one after another).
    const sent: number[] = [];
    const byKey = new Map<string, RowDataPacket[]>();
    for (const r of rows) byKey.set(r.message_key, [...(byKey.get(r.message_key) ?? []), r]);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.all(
          [...byKey.values()].map(async (ofOnePayment) => {
            for (const r of ofOnePayment) {
              await o.producer.send({ topic: r.topic, acks: -1, messages: [{ key: r.message_key, value: r.payload, headers: r.headers ? JSON.parse(r.headers) : {} }] });
              sent.push(r.id);
            }
          }),
        ),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`Kafka send did not complete within ${sendTimeoutMs} ms`)), sendTimeoutMs))),
      ]);
    } catch (err) {
      const unsent = rows.map((r) => r.id).filter((id) => !sent.includes(id));
      await withConnection(o.db, async (conn) => {
        if (sent.length) await conn.query('UPDATE outbox SET published_at = NOW(3), publish_attempts = publish_attempts + 1 WHERE id IN (?)', [sent]);
        if (unsent.length)
          await conn.query('UPDATE outbox SET claimed_by = NULL, claimed_until = NULL, publish_attempts = publish_attempts + 1, last_error = ? WHERE id IN (?) AND claimed_by = ?', [
            String((err as Error).message).slice(0, 500),
            unsent,
            claimer,
          ]);
      }).catch(() => {}); // the lease expires by itself if even this fails
      throw err;
    } finally {
      clearTimeout(timer);
    }
    await withConnection(o.db, (conn) => conn.query('UPDATE outbox SET published_at = NOW(3), publish_attempts = publish_attempts + 1 WHERE id IN (?)', [sent]));
    return rows.length;
  }

  async function run(): Promise<void> {
    let backoffMs = 0;
    while (running) {
      try {
        const n = await publishBatch();
        backoffMs = 0;
        if (n > 0) {
          o.onPublished?.(n);
          continue; // there may be more
        }
      } catch (err) {
        o.onError?.(err);
        backoffMs = Math.min(5000, Math.max(500, backoffMs * 2));
      }
      wake = new AbortController();
      await delay(backoffMs || idleMs, wake.signal).catch(() => {});
    }
  }

  return {
    publishBatch,
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      wake.abort();
      await loop;
    },
    nudge() {
      wake.abort();
    },
  };
}
