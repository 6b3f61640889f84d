import { randomUUID } from 'node:crypto';
import type { PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { withConnection, withTransaction, type Db } from '../db/connection.ts';
import { notFound, SeatTakenError, DependencyUnavailableError } from '../errors.ts';
import { SeatLockBusy, type SeatLocks } from './seat-lock.ts';

// Seat holds. The Redis lock serialises contenders cheaply; the database decides: the seat
// moves AVAILABLE -> HELD only by a conditional UPDATE, and a UNIQUE key allows one live
// hold per seat. So even a split-brain Redis (two requests both "holding" the lock) cannot
// sell a seat twice. Without Redis, a SELECT ... FOR UPDATE on the seat row is the lock.

export interface Hold {
  holdId: string;
  seatId: number;
  userId: string;
  status: 'ACTIVE' | 'PAID' | 'EXPIRED' | 'RELEASED' | 'CANCELLED';
  lockMode: 'REDIS' | 'DATABASE';
  expiresAt: string;
}

export interface Reservations {
  holdSeat(input: { seatId: number; userId: string }): Promise<Hold>;
  getHold(holdId: string): Promise<Hold>;
  /** Expires ACTIVE holds past their time that no payment is using; returns how many. */
  releaseExpiredHolds(limit?: number): Promise<number>;
}

export interface ReservationsDeps {
  db: Db;
  locks: SeatLocks;
  holdTtlMs: number;
  /** 'database' never asks Redis: every hold takes the row lock (SEAT_LOCK=database, the benchmark's baseline). */
  lockWith?: 'redis' | 'database';
  onLockFallback?: () => void;
}

const DB_LOCK_WAIT_SEC = 3;

export function createReservations({ db, locks, holdTtlMs, lockWith = 'redis', onLockFallback }: ReservationsDeps): Reservations {
  async function insertHold(conn: PoolConnection, seatId: number, userId: string, lockMode: Hold['lockMode']): Promise<Hold> {
    const forUpdate = lockMode === 'DATABASE';
    const sql = forUpdate
      ? `SET STATEMENT innodb_lock_wait_timeout = ${DB_LOCK_WAIT_SEC} FOR SELECT id, status FROM seats WHERE id = ? FOR UPDATE`
      : 'SELECT id, status FROM seats WHERE id = ?';
    const [seats] = await conn.query<RowDataPacket[]>(sql, [seatId]);
    if (seats.length === 0) throw notFound('Seat', seatId, 'SEAT_NOT_FOUND', 'seatId');
    if (seats[0]!.status !== 'AVAILABLE') throw new SeatTakenError(seatId);
    const holdId = randomUUID();
    const expiresAt = new Date(Date.now() + holdTtlMs);
    const [upd] = await conn.query<ResultSetHeader>("UPDATE seats SET status = 'HELD', hold_id = ? WHERE id = ? AND status = 'AVAILABLE'", [holdId, seatId]);
    if (upd.affectedRows !== 1) throw new SeatTakenError(seatId);
    await conn.query("INSERT INTO holds (id, seat_id, user_id, status, lock_mode, expires_at) VALUES (?, ?, ?, 'ACTIVE', ?, ?)", [holdId, seatId, userId, lockMode, expiresAt]);
    return { holdId, seatId, userId, status: 'ACTIVE', lockMode, expiresAt: expiresAt.toISOString() };
  }

  function inTransaction(seatId: number, userId: string, mode: Hold['lockMode']): Promise<Hold> {
    return withTransaction(db, (conn) => insertHold(conn, seatId, userId, mode)).catch((err: { code?: string; errno?: number }) => {
      // Lost a race to the database fence, or waited too long on the row lock.
      if (err.code === 'ER_DUP_ENTRY' || err.code === 'ER_LOCK_DEADLOCK') throw new SeatTakenError(seatId);
      if (err.code === 'ER_LOCK_WAIT_TIMEOUT') throw new SeatTakenError(seatId, 'is being reserved by another request');
      throw err;
    });
  }

  return {
    async holdSeat({ seatId, userId }) {
      if (lockWith === 'database') return inTransaction(seatId, userId, 'DATABASE');
      let outcome;
      try {
        outcome = await locks.withSeatLock(seatId, () => inTransaction(seatId, userId, 'REDIS'));
      } catch (err) {
        if (err instanceof SeatLockBusy) throw new SeatTakenError(seatId, 'is being reserved by another request');
        throw err;
      }
      if (outcome.mode === 'REDIS') return outcome.value;
      onLockFallback?.();
      return inTransaction(seatId, userId, 'DATABASE');
    },

    async getHold(holdId) {
      const rows = await withConnection(db, async (conn) => (await conn.query<RowDataPacket[]>('SELECT * FROM holds WHERE id = ?', [holdId]))[0]);
      if (rows.length === 0) throw notFound('Hold', holdId, 'HOLD_NOT_FOUND');
      return toHold(rows[0]!);
    },

    async releaseExpiredHolds(limit = 500) {
      try {
        return await withTransaction(db, async (conn) => {
          const [rows] = await conn.query<RowDataPacket[]>(
            `SELECT h.id FROM holds h
              WHERE h.status = 'ACTIVE' AND h.expires_at < NOW(3)
                AND NOT EXISTS (SELECT 1 FROM payment_transactions p WHERE p.live_hold = h.id)
              ORDER BY h.expires_at LIMIT ? FOR UPDATE SKIP LOCKED`,
            [limit],
          );
          if (rows.length === 0) return 0;
          const ids = rows.map((r) => r.id as string);
          await conn.query("UPDATE holds SET status = 'EXPIRED' WHERE id IN (?) AND status = 'ACTIVE'", [ids]);
          await conn.query("UPDATE seats SET status = 'AVAILABLE', hold_id = NULL WHERE hold_id IN (?) AND status = 'HELD'", [ids]);
          return ids.length;
        });
      } catch (err) {
        if (err instanceof DependencyUnavailableError) return 0; // the next sweep tries again
        throw err;
      }
    },
  };
}

export function toHold(r: RowDataPacket): Hold {
  return {
    holdId: r.id,
    seatId: Number(r.seat_id),
    userId: r.user_id,
    status: r.status,
    lockMode: r.lock_mode,
    expiresAt: new Date(r.expires_at).toISOString(),
  };
}
