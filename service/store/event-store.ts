import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { EventType } from '../../contracts/index.ts';

// Report 5.2 #2: every state change of a payment is appended with the next version of its
// aggregate. Callers hold the payment row's lock (SELECT ... FOR UPDATE) in the same
// transaction, so versions of one aggregate are assigned one at a time; the UNIQUE key
// would refuse a second writer of the same version anyway.

export async function appendEvent(conn: PoolConnection, aggregateId: string, type: EventType, data: Record<string, unknown>): Promise<number> {
  const [[row]] = await conn.query<RowDataPacket[]>('SELECT COALESCE(MAX(version), 0) + 1 AS next FROM event_store WHERE aggregate_id = ?', [aggregateId]);
  const version = Number(row!.next);
  await conn.query('INSERT INTO event_store (aggregate_id, version, event_type, event_data) VALUES (?, ?, ?, ?)', [aggregateId, version, type, JSON.stringify(data)]);
  return version;
}

export interface StoredEvent {
  version: number;
  type: EventType;
  data: Record<string, unknown>;
  createdAt: string;
}

export async function readEvents(conn: PoolConnection, aggregateId: string): Promise<StoredEvent[]> {
  const [rows] = await conn.query<RowDataPacket[]>('SELECT version, event_type, event_data, created_at FROM event_store WHERE aggregate_id = ? ORDER BY version', [aggregateId]);
  return rows.map((r) => ({ version: Number(r.version), type: r.event_type, data: JSON.parse(r.event_data), createdAt: new Date(r.created_at).toISOString() }));
}
