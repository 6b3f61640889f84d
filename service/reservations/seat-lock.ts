import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { Redlock, ResourceLockedError, ExecutionError } from '@sesamecare-oss/redlock';
import { parseLockValue, seatLockKey, type LockValue } from '../../contracts/index.ts';

// Per-seat Redis lock (report 2.0.1), with the Redlock algorithm from
// `@sesamecare-oss/redlock`: a maintained TypeScript fork with redlock v5's API (npm's
// `redlock` 5 has been a beta since 2022 with its auto-extension fix unreleased).
//
// - The lock is taken with SET NX PX and renewed while held: `using()` extends it once a
//   third of the TTL has passed (report 2.0.1 code fix 1, heartbeat every TTL/3).
// - The lock's value records who holds it and since when, as JSON, so `ticketctl locks`
//   can read a stuck lock's real age (the report's sketch reads PTTL as age, which is the
//   time *left*). Redlock compares values only for equality, so any unique string works.
// - The lock only serialises contenders; the database is the fence (hold.ts). When Redis
//   is unreachable the caller falls back to a database lock (report 2.0.1 code fix 3).

export type LockOutcome<T> = { mode: 'REDIS'; value: T } | { mode: 'UNAVAILABLE' };

export interface SeatLocks {
  /** Runs fn holding the seat's lock. Throws SeatLockBusy when another holder has it. */
  withSeatLock<T>(seatId: number, fn: (signal: AbortSignal) => Promise<T>): Promise<LockOutcome<T>>;
  readLock(seatId: number): Promise<(LockValue & { ttlMs: number }) | undefined>;
}

export class SeatLockBusy extends Error {
  constructor(seatId: number) {
    super(`seat ${seatId} is being locked by another request`);
  }
}

export interface SeatLockOptions {
  redis: Redis;
  owner: string;
  ttlMs: number;
  onError?: (err: Error) => void;
}

export function createSeatLocks({ redis, owner, ttlMs, onError }: SeatLockOptions): SeatLocks {
  const redlock = new Redlock([redis], {
    retryCount: 0, // contenders get a fast 409, they do not queue behind the holder
    automaticExtensionThreshold: Math.round((ttlMs * 2) / 3),
  });
  // Redlock emits every failed vote as 'error'; without a listener that would crash.
  redlock.on('error', (err: Error) => {
    if (!(err instanceof ResourceLockedError)) onError?.(err);
  });
  (redlock as unknown as { _random: () => string })._random = () => JSON.stringify({ token: randomBytes(12).toString('hex'), owner, since: Date.now() } satisfies LockValue);

  return {
    async withSeatLock<T>(seatId: number, fn: (signal: AbortSignal) => Promise<T>): Promise<LockOutcome<T>> {
      // ioredis fails commands at once when disconnected (no offline queue): do not even try.
      if (redis.status !== 'ready') return { mode: 'UNAVAILABLE' };
      let done: { value: T } | undefined;
      try {
        const value = await redlock.using([seatLockKey(seatId)], ttlMs, async (signal) => {
          done = { value: await fn(signal) };
          return done.value;
        });
        return { mode: 'REDIS', value };
      } catch (err) {
        // fn finished (its hold is committed) and only the release failed, e.g. Redis died
        // meanwhile: the work stands and the lock expires by its TTL. Falling back to the
        // database here would run fn again, find the seat taken by this very request and
        // answer 409, leaving a hold nobody knows about (drill redis-crash-lock-held).
        if (done) {
          onError?.(err as Error);
          return { mode: 'REDIS', value: done.value };
        }
        if (err instanceof ExecutionError) {
          const lockedByOther = err.attempts.length > 0 && redis.status === 'ready';
          if (lockedByOther && (await isHeld(redis, seatId))) throw new SeatLockBusy(seatId);
          return { mode: 'UNAVAILABLE' };
        }
        throw err;
      }
    },
    async readLock(seatId) {
      const [[, raw], [, ttl]] = (await redis.multi().get(seatLockKey(seatId)).pttl(seatLockKey(seatId)).exec()) as [[null, string | null], [null, number]];
      const v = parseLockValue(raw);
      return v ? { ...v, ttlMs: ttl } : undefined;
    },
  };
}

async function isHeld(redis: Redis, seatId: number): Promise<boolean> {
  try {
    return (await redis.exists(seatLockKey(seatId))) === 1;
  } catch {
    return false;
  }
}
