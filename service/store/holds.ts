import { randomUUID } from 'node:crypto';
import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import { withTransaction, type Db } from '../db/connection.ts';
import { notFound, SeatTakenError } from '../errors.ts';
import { newHoldSecret } from './hold-secret.ts';
import { write, type Changed, type Hold } from './rows.ts';
import { HOLD, MOVES, SEAT, fromStates } from './state-machine.ts';

// Holds and the seats they take (moves holdSeat and expireHold). The database is the
// fence against selling a seat twice: the seat moves AVAILABLE -> HELD only by a
// conditional UPDATE, and holds.live_seat's UNIQUE key allows one live hold per seat.

const DB_LOCK_WAIT_SEC = 3;

export interface NewHold {
  seatId: number;
  userId: string;
  lockMode: Hold['lockMode'];
  ttlMs: number;
}

/** A hold as POST /holds answers it: with its secret, which exists only in this answer. */
export type CreatedHold = Hold & { holdSecret: string };

/**
 * Move holdSeat, in the caller's transaction: the seat AVAILABLE -> HELD, then the ACTIVE
 * hold. With lockMode DATABASE the seat row is read FOR UPDATE (3 s lock wait): no Redis
 * lock serialises contenders then. Throws SeatTakenError when the seat is not AVAILABLE or
 * the conditional UPDATE changed nothing; a lost race to the UNIQUE key is ER_DUP_ENTRY.
 * The hold row keeps only the hash of its secret (hold-secret.ts); the secret is returned.
 */
export async function createHold(conn: PoolConnection, h: NewHold): Promise<CreatedHold> {
  const sql = h.lockMode === 'DATABASE' ? `SET STATEMENT innodb_lock_wait_timeout = ${DB_LOCK_WAIT_SEC} FOR SELECT id, status FROM seats WHERE id = ? FOR UPDATE` : 'SELECT id, status FROM seats WHERE id = ?';
  const [seats] = await conn.query<RowDataPacket[]>(sql, [h.seatId]);
  if (seats.length === 0) throw notFound('Seat', h.seatId, 'SEAT_NOT_FOUND', 'seatId');
  if (seats[0]!.status !== 'AVAILABLE') throw new SeatTakenError(h.seatId);
  const holdId = randomUUID();
  const expiresAt = new Date(Date.now() + h.ttlMs);
  const seat = SEAT[MOVES.holdSeat.seat];
  const taken = await write(conn, 'UPDATE seats SET status = ?, hold_id = ? WHERE id = ? AND status IN (?)', [seat.to, holdId, h.seatId, fromStates(seat)]);
  if (taken !== 1) throw new SeatTakenError(h.seatId);
  const hold = HOLD[MOVES.holdSeat.hold];
  const { secret, hash } = newHoldSecret();
  await write(conn, 'INSERT INTO holds (id, seat_id, user_id, status, lock_mode, expires_at, secret_hash) VALUES (?, ?, ?, ?, ?, ?, ?)', [holdId, h.seatId, h.userId, hold.to, h.lockMode, expiresAt, hash]);
  return { holdId, seatId: h.seatId, userId: h.userId, status: hold.to, lockMode: h.lockMode, expiresAt: expiresAt.toISOString(), holdSecret: secret };
}

/**
 * Move expireHold for up to `limit` ACTIVE holds past their time that no PENDING or SUCCESS
 * payment uses (payment_transactions.live_hold), in one transaction. SKIP LOCKED lets every
 * instance's sweeper share the work. `expired` is how many holds were picked.
 */
export async function expireHolds(db: Db, limit: number): Promise<{ expired: number; changed: Changed }> {
  const hold = HOLD[MOVES.expireHold.hold];
  const seat = SEAT[MOVES.expireHold.seat];
  return withTransaction(db, async (conn) => {
    const [rows] = await conn.query<RowDataPacket[]>(
      `SELECT h.id FROM holds h
        WHERE h.status IN (?) AND h.expires_at < NOW(3)
          AND NOT EXISTS (SELECT 1 FROM payment_transactions p WHERE p.live_hold = h.id)
        ORDER BY h.expires_at LIMIT ? FOR UPDATE SKIP LOCKED`,
      [fromStates(hold), limit],
    );
    if (rows.length === 0) return { expired: 0, changed: { payment: 0, hold: 0, seat: 0 } };
    // The NOT EXISTS above is a consistent read, from a snapshot that may predate a payment
    // intake committed just before this statement took the hold's lock. Ask again with a
    // locking read (the newest committed rows, waiting for an intake still in flight), so an
    // accepted payment never loses its hold to the sweeper.
    const [live] = await conn.query<RowDataPacket[]>('SELECT live_hold FROM payment_transactions WHERE live_hold IN (?) LOCK IN SHARE MODE', [rows.map((r) => r.id as string)]);
    const paying = new Set(live.map((r) => String(r.live_hold)));
    const ids = rows.map((r) => r.id as string).filter((id) => !paying.has(id));
    if (ids.length === 0) return { expired: 0, changed: { payment: 0, hold: 0, seat: 0 } };
    const holds = await write(conn, 'UPDATE holds SET status = ? WHERE id IN (?) AND status IN (?)', [hold.to, ids, fromStates(hold)]);
    // Every picked hold is locked and ACTIVE: a different count is a bug, rolled back.
    if (holds !== ids.length) throw new Error(`expiring ${ids.length} holds changed ${holds}; rolled back`);
    const seats = await write(conn, 'UPDATE seats SET status = ?, hold_id = NULL WHERE hold_id IN (?) AND status IN (?)', [seat.to, ids, fromStates(seat)]);
    return { expired: ids.length, changed: { payment: 0, hold: holds, seat: seats } };
  });
}
