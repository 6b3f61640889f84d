import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import { write } from './rows.ts';

// Consumer idempotency: a handler records the event id in the same transaction as its
// effect, so a redelivered event finds its row and has no second effect.

export interface ProcessedMarker {
  eventId: string;
  handler: string;
}

/** Whether this event already had its effect for this handler (a plain read, to decide before a gateway call). */
export async function wasProcessed(conn: PoolConnection, m: ProcessedMarker): Promise<boolean> {
  const [rows] = await conn.query<RowDataPacket[]>('SELECT 1 FROM processed_events WHERE event_id = ? AND handler = ?', [m.eventId, m.handler]);
  return rows.length > 0;
}

/** Records the marker in the caller's transaction; false when it was there already (a redelivery). */
export async function markFirstDelivery(conn: PoolConnection, m: ProcessedMarker): Promise<boolean> {
  return (await write(conn, 'INSERT IGNORE INTO processed_events (event_id, handler) VALUES (?, ?)', [m.eventId, m.handler])) === 1;
}
