import type { PoolConnection } from 'mysql2/promise';
import type { Envelope, TopicName } from '../../contracts/index.ts';

/**
 * Writes an event to the outbox inside the caller's transaction, so it is published if and
 * only if the state change commits. `delayMs` schedules it (retry backoff).
 */
export async function enqueue(conn: PoolConnection, topic: TopicName, event: Envelope, delayMs = 0): Promise<void> {
  const headers = { 'event-id': event.eventId, 'event-type': event.type, attempt: String(event.attempt) };
  await conn.query('INSERT INTO outbox (event_id, topic, message_key, payload, headers, available_at) VALUES (?, ?, ?, ?, ?, NOW(3) + INTERVAL ? MICROSECOND)', [
    event.eventId,
    topic,
    event.paymentTxId,
    JSON.stringify(event),
    JSON.stringify(headers),
    Math.max(0, Math.round(delayMs)) * 1000,
  ]);
}
