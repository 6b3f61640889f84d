import { errorMessage } from '../../../lib/index.ts';
import type { Context } from '../../../clients/index.ts';
import { liveHolds } from './holds.ts';
import { byAge, describeLock, type LiveInstance, type LockView } from './lock-view.ts';
import type { LockRedis } from './redis.ts';
import { findLiveInstances } from './owners.ts';

// Everything `locks list` and `locks release` know about the seat locks: the keys in Redis,
// which instances run (to judge each owner), and the seats' live holds. The database is
// extra: when it does not answer, the locks are still shown, with dbError saying why.

export interface LockSnapshot {
  readAt: number;
  instances: LiveInstance[];
  locks: LockView[];
  dbError: string | null;
}

export async function readLocks(c: Context, redis: LockRedis, seats: number[] | null): Promise<LockSnapshot> {
  const [raw, instances] = await Promise.all([redis.scanLocks(seats), findLiveInstances(redis)]);
  const readAt = Date.now();
  const seatIds = [...new Set(raw.map((r) => describeLock(r, readAt, []).seatId).filter((id): id is number => id !== null))];
  let dbError: string | null = null;
  const holds = await liveHolds(c, seatIds).catch((err: unknown) => {
    dbError = errorMessage(err);
    return undefined;
  });
  const locks = raw.map((r) => describeLock(r, readAt, instances, holds)).sort(byAge);
  return { readAt, instances, locks, dbError };
}
