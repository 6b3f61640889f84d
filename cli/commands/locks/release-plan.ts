import type { Plan } from '../../shared/mutation.ts';
import { formatDuration } from './duration.ts';
import type { LockView } from './lock-view.ts';

// Which seat locks a force-release deletes (report 2.0.1 code fix 2, "release a stuck lock
// older than MAX_LOCK_AGE"), as a mutation plan. Only locks nobody will ever release: older
// than the threshold with their owner gone, or of unknown owner and without a TTL. A live
// owner renews its lock and deletes it when done, so its locks are skipped (unless forced).
// Pure, so the plan the operator reviews is tested without Redis.

export interface ReleaseSelection {
  olderThanMs: number;
  /** null: every seat. */
  seats: number[] | null;
  forceOwnerAlive: boolean;
}

export interface PlannedLock {
  key: string;
  seatId: number | null;
  owner: string | null;
  ownerState: LockView['ownerState'];
  ageMs: number | null;
  ttlMs: number | null;
  /** Why it is released, or why not. */
  reason: string;
}

export interface ReleasePlanData extends ReleaseSelection {
  /** The Redis endpoint the locks were read from and are deleted on. */
  redis: string;
  /** Deleted only if the key still holds exactly `value` and was not renewed since (its PTTL no higher than `ttlMs`; compare-and-delete). */
  release: Array<PlannedLock & { value: string }>;
  skipped: PlannedLock[];
  /** Seats named with --seat that have no lock. */
  notLocked: number[];
}

const who = (l: LockView) => (l.owner === null ? 'unknown owner' : `owner ${l.owner}`);
const age = (l: LockView) => (l.ageMs === null ? 'age unknown' : `age ${formatDuration(l.ageMs)}`);
const ttl = (l: LockView) => (l.neverExpires ? 'no expiry' : l.ttlMs === null ? 'expiring now' : `expires in ${formatDuration(l.ttlMs)}`);

/** undefined: release it; else why it is skipped. */
export function skipReason(l: LockView, s: ReleaseSelection): string | undefined {
  const threshold = formatDuration(s.olderThanMs);
  if (l.ownerState === 'unknown') {
    return l.neverExpires ? undefined : `unknown owner (value is not the service's JSON), but it ${ttl(l)} on its own`;
  }
  if (l.ageMs !== null && l.ageMs < s.olderThanMs) return `younger than ${threshold} (${age(l)})`;
  if (l.ownerState === 'alive' && !s.forceOwnerAlive) {
    return `owner ${l.owner} is alive (answers at ${l.ownerUrl}): it renews the lock while it works and deletes it when done; --force-owner-alive releases it anyway`;
  }
  return undefined;
}

function releaseReason(l: LockView, s: ReleaseSelection): string {
  if (l.ownerState === 'unknown') return 'unknown owner and no expiry: nobody will ever release it';
  const older = `older than ${formatDuration(s.olderThanMs)}`;
  if (l.ownerState === 'alive') return `${older}; owner ${l.owner} is alive, released because of --force-owner-alive`;
  return `${older} and owner ${l.owner} is gone (no fresh heartbeat from that instance)${l.neverExpires ? '; it never expires on its own' : ''}`;
}

export function releasePlan(locks: LockView[], s: ReleaseSelection, redis: string): Plan<ReleasePlanData> {
  const mine = s.seats === null ? locks : locks.filter((l) => l.seatId !== null && s.seats!.includes(l.seatId));
  const entry = (l: LockView, reason: string): PlannedLock => ({ key: l.key, seatId: l.seatId, owner: l.owner, ownerState: l.ownerState, ageMs: l.ageMs, ttlMs: l.ttlMs, reason });
  const release: ReleasePlanData['release'] = [];
  const skipped: PlannedLock[] = [];
  for (const l of mine) {
    const why = skipReason(l, s);
    if (why === undefined) release.push({ ...entry(l, releaseReason(l, s)), value: l.value });
    else skipped.push(entry(l, why));
  }
  const notLocked = (s.seats ?? []).filter((id) => !mine.some((l) => l.seatId === id));
  const byKey = new Map(mine.map((l) => [l.key, l]));

  const steps = release.map((r) => {
    const l = byKey.get(r.key)!;
    return `delete ${r.key} (${who(l)}, ${age(l)}, ${ttl(l)}) on ${redis}, only if its value is still the one read now and it was not renewed since`;
  });
  const notes = [
    ...skipped.map((k) => `skipped ${k.key}: ${k.reason}`),
    ...(notLocked.length ? [`no lock on seat(s) ${notLocked.join(', ')}`] : []),
    ...(release.length
      ? [
          'a lock re-acquired or renewed after this plan was read has another value, so it is left alone (compare-and-delete in one Lua script)',
          "no undo is possible: a deleted lock cannot be put back. The sale stays safe: the seat's database fence (conditional UPDATE and the unique live hold) still allows one live hold per seat",
        ]
      : []),
  ];
  const scope = s.seats === null ? 'every seat' : `seat(s) ${s.seats.join(', ')}`;
  return {
    title: release.length ? `release ${release.length} stuck seat lock(s) of ${mine.length} in ${scope}` : `release stuck seat locks in ${scope}: none to release (${mine.length} lock(s) seen)`,
    steps,
    notes,
    data: { ...s, redis, release, skipped, notLocked },
  };
}
