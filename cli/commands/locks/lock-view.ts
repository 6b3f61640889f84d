import { SEAT_LOCK_PREFIX, parseLockValue } from '../../../contracts/index.ts';

// What one seat lock in Redis means to an operator (report 2.0.1): whose it is, how old
// it really is (now - since, from the value; the report's sketch read PTTL as the age,
// which is the time *left*), whether it ever expires, and whether its owner still runs.
// Pure: the readers (Redis, the instances, the database) hand their findings in.

/** A key as read from Redis: its value and PTTL (-1 = no expiry). */
export interface RawLock {
  key: string;
  value: string;
  pttlMs: number;
}

/** A service instance whose heartbeat key is fresh (contracts/heartbeat.ts). */
export interface LiveInstance {
  instanceId: string;
  /** Where the instance says it serves. */
  url: string;
  /** Its last beat is on time (within two beat intervals); false: late, but not yet expired. */
  healthy: boolean;
  /** How long ago the last beat was written. */
  lastBeatMs: number;
  /** When the heartbeat key expires; null if it has no expiry. */
  expiresInMs: number | null;
}

/** The seat's live hold row in the database (status ACTIVE or PAID). */
export interface HoldRow {
  holdId: string;
  status: string;
  userId: string;
  expiresAt: string;
}

export type OwnerState = 'alive' | 'gone' | 'unknown';

/** One lock. Keys are part of the documented JSON of `locks list` and `locks release`. */
export interface LockView {
  key: string;
  /** null when the key's suffix is not a seat id. */
  seatId: number | null;
  /** The exact value read: what a release compares before it deletes. */
  value: string;
  /** null: the value is not the service's JSON, so the owner is unknown. */
  owner: string | null;
  since: string | null;
  /** now - since; null when unknown. */
  ageMs: number | null;
  /** Time left; null: the key never expires (a lock that outlives any crash). */
  ttlMs: number | null;
  neverExpires: boolean;
  ownerState: OwnerState;
  /** Where the owner answered, when alive. */
  ownerUrl: string | null;
  /** The seat's live hold, when the database was read and has one. */
  hold: HoldRow | null;
}

export function seatIdOf(key: string): number | null {
  const suffix = key.slice(SEAT_LOCK_PREFIX.length);
  return key.startsWith(SEAT_LOCK_PREFIX) && /^\d+$/.test(suffix) ? Number(suffix) : null;
}

export function describeLock(raw: RawLock, now: number, instances: LiveInstance[], holds: ReadonlyMap<number, HoldRow> = new Map()): LockView {
  const parsed = parseLockValue(raw.value);
  const seatId = seatIdOf(raw.key);
  const owner = parsed?.owner ?? null;
  const live = owner === null ? undefined : instances.find((i) => i.instanceId === owner);
  return {
    key: raw.key,
    seatId,
    value: raw.value,
    owner,
    since: parsed ? new Date(parsed.since).toISOString() : null,
    ageMs: parsed ? Math.max(0, now - parsed.since) : null,
    ttlMs: raw.pttlMs >= 0 ? raw.pttlMs : null,
    neverExpires: raw.pttlMs === -1,
    ownerState: owner === null ? 'unknown' : live ? 'alive' : 'gone',
    ownerUrl: live?.url ?? null,
    hold: seatId === null ? null : (holds.get(seatId) ?? null),
  };
}

/** Oldest first; locks of unknown age (no `since`) before all, since they may be the oldest. */
export function byAge(a: LockView, b: LockView): number {
  return (b.ageMs ?? Infinity) - (a.ageMs ?? Infinity) || a.key.localeCompare(b.key);
}

/** `--older-than`: a lock of unknown age is kept, since it cannot be shown to be younger. */
export const olderThan = (l: LockView, ms: number) => l.ageMs === null || l.ageMs >= ms;
