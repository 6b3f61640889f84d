// The seat lock's key and value in Redis (report 2.0.1): the service writes them
// (service/reservations/seat-lock.ts), `ticketctl locks` and the drills' no-orphan-locks
// invariant read them. The value is JSON naming the owner and since when it holds the
// lock, so a stuck lock's real age can be read (PTTL is the time *left*).

export const SEAT_LOCK_PREFIX = 'seat-lock:';

export interface LockValue {
  token: string;
  owner: string;
  since: number;
}

export function seatLockKey(seatId: number): string {
  return `${SEAT_LOCK_PREFIX}${seatId}`;
}

export function parseLockValue(raw: string | null): LockValue | undefined {
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as LockValue;
    return typeof v.owner === 'string' && typeof v.since === 'number' ? v : undefined;
  } catch {
    return undefined; // written by someone else: treat as unknown owner
  }
}
