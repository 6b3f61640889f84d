import type { Pool, RowDataPacket } from 'mysql2/promise';

// Which dead letters ticketctl has replayed: a table in the service database that only
// ticketctl writes, created by the service's migrations (008) so that ticketctl itself
// never runs DDL. A replay sends first and records afterwards, so a crash in between replays that
// message again on the next run: at-least-once, which the saga absorbs, since the
// republished value keeps its event id and processed_events dedupes it.

const TABLE = 'ticketctl_dlq_replays';

/** "partition:offset" -> when it was replayed; empty before the first replay ever. */
export async function replayedMessages(pool: Pool, dlqTopic: string): Promise<Map<string, string>> {
  try {
    const [rows] = await pool.query<RowDataPacket[]>(`SELECT dlq_partition, dlq_offset, replayed_at FROM ${TABLE} WHERE dlq_topic = ?`, [dlqTopic]);
    return new Map(rows.map((r) => [`${r.dlq_partition}:${r.dlq_offset}`, new Date(r.replayed_at).toISOString()]));
  } catch (err) {
    if ((err as { code?: string }).code === 'ER_NO_SUCH_TABLE') return new Map();
    throw err;
  }
}

export async function recordReplay(pool: Pool, r: { dlqTopic: string; partition: number; offset: string; originalTopic: string; key: string | null; eventId: string | null; by: string }): Promise<void> {
  await pool.query(`INSERT IGNORE INTO ${TABLE} (dlq_topic, dlq_partition, dlq_offset, original_topic, message_key, event_id, replayed_by) VALUES (?, ?, ?, ?, ?, ?, ?)`, [
    r.dlqTopic,
    r.partition,
    r.offset,
    r.originalTopic,
    r.key?.slice(0, 200) ?? null,
    r.eventId?.slice(0, 64) ?? null,
    r.by.slice(0, 200),
  ]);
}
