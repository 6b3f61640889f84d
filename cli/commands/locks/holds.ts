import type { RowDataPacket } from 'mysql2/promise';
import { withServiceConnection } from '../../../clients/index.ts';
import type { Context } from '../../../clients/index.ts';
import type { HoldRow } from './lock-view.ts';

// The database side of a seat lock: the seat's live hold (ACTIVE or PAID), if any. The
// database, not the lock, decides who has a seat, so this shows whether a stuck lock is
// blocking a free seat or merely sitting on one that is already held or sold.

export async function liveHolds(c: Context, seatIds: number[]): Promise<Map<number, HoldRow>> {
  const out = new Map<number, HoldRow>();
  if (!seatIds.length) return out;
  await withServiceConnection(c, async (conn) => {
    const [rows] = await conn.query<RowDataPacket[]>('SELECT id, live_seat, user_id, status, expires_at FROM holds WHERE live_seat IN (?)', [seatIds]);
    for (const r of rows) out.set(Number(r.live_seat), { holdId: String(r.id), status: String(r.status), userId: String(r.user_id), expiresAt: new Date(r.expires_at).toISOString() });
  });
  return out;
}
