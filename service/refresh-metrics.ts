import type { Admin } from 'kafkajs';
import type { RowDataPacket } from 'mysql2/promise';
import { withConnection, type Db } from './db/connection.ts';
import { poolUsage } from './health.ts';
import type { Metrics } from './metrics.ts';
import { CONSUMER_GROUP } from '../contracts/index.ts';
import { SAGA_TOPICS } from './payments/consumer.ts';

// Gauges that are read from the systems of record when /metrics is scraped: payment
// counts by status and outbox backlog (database), pool usage (the pool), consumer lag
// (Kafka: log-end offset minus committed offset, summed per topic).

export async function refreshMetrics(m: Metrics, db: Db, poolLimit: number, admin: Admin): Promise<void> {
  m.dbPoolUsage.set(poolUsage(db.pool, poolLimit));
  await Promise.allSettled([
    withConnection(db, async (conn) => {
      const [rows] = await conn.query<RowDataPacket[]>('SELECT status, COUNT(*) AS n FROM payment_transactions GROUP BY status');
      m.paymentStatus.reset();
      for (const r of rows) m.paymentStatus.set({ status: r.status }, Number(r.n));
      const [[pending]] = await conn.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM outbox WHERE published_at IS NULL');
      m.outboxPending.set(Number(pending!.n));
    }),
    (async () => {
      for (const [topic, lag] of Object.entries(await consumerLag(admin))) m.consumerLag.set({ topic }, lag);
    })(),
  ]);
}

export async function consumerLag(admin: Admin, groupId = CONSUMER_GROUP, topics: readonly string[] = SAGA_TOPICS): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
  for (const t of committed) {
    const ends = await admin.fetchTopicOffsets(t.topic);
    out[t.topic] = t.partitions.reduce((sum, p) => {
      const end = Number(ends.find((e) => e.partition === p.partition)?.high ?? 0);
      const at = Number(p.offset);
      return sum + Math.max(0, at < 0 ? end : end - at);
    }, 0);
  }
  return out;
}
