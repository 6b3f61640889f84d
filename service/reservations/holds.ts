import { requestDeadline, withConnection, withTransaction, type Db } from '../db/connection.ts';
import { notFound, SeatTakenError, DependencyUnavailableError } from '../errors.ts';
import { createHold, expireHolds, readHold, type CreatedHold, type Hold } from '../store/index.ts';
import { SeatLockBusy, type SeatLocks } from './seat-lock.ts';

// Seat holds. The Redis lock serialises contenders cheaply; the database decides: the seat
// moves AVAILABLE -> HELD only by a conditional UPDATE, and a UNIQUE key allows one live
// hold per seat. So even a split-brain Redis (two requests both "holding" the lock) cannot
// sell a seat twice. Without Redis, a SELECT ... FOR UPDATE on the seat row is the lock.
// The locks are here; the rows are changed by the store (service/store/holds.ts).

export type { CreatedHold, Hold } from '../store/index.ts';

export interface Reservations {
  /** The new hold with its secret: the only time the secret leaves the service. */
  holdSeat(input: { seatId: number; userId: string }): Promise<CreatedHold>;
  /** The hold without its secret (the database has only the secret's hash). */
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

export function createReservations({ db, locks, holdTtlMs, lockWith = 'redis', onLockFallback }: ReservationsDeps): Reservations {
  function inTransaction(seatId: number, userId: string, mode: Hold['lockMode']): Promise<CreatedHold> {
    return withTransaction(db, (conn) => createHold(conn, { seatId, userId, lockMode: mode, ttlMs: holdTtlMs }), requestDeadline(db)).catch((err: { code?: string; errno?: number }) => {
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
      const hold = await withConnection(db, (conn) => readHold(conn, holdId));
      if (!hold) throw notFound('Hold', holdId, 'HOLD_NOT_FOUND');
      return hold;
    },

    async releaseExpiredHolds(limit = 500) {
      try {
        // How many holds expired (the store rolls back unless it changed exactly those holds).
        return (await expireHolds(db, limit)).expired;
      } catch (err) {
        if (err instanceof DependencyUnavailableError) return 0; // the next sweep tries again
        throw err;
      }
    },
  };
}
