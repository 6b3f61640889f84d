import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { createSeatLocks, SeatLockBusy } from '../../service/reservations/seat-lock.ts';
import { waitFor } from '../../lib/wait.ts';
import { ctx } from '../helpers/service.ts';
import { seatLockKey } from '../../contracts/seat-lock.ts';

// Report 2.0.1 code fix 1: a lock held longer than its TTL is renewed (every TTL/3) while
// its holder works, and a second holder is refused meanwhile; once released it is gone.

test('a held seat lock outlives its TTL while the holder works, and blocks a second holder', { timeout: 60_000 }, async () => {
  const redis = new Redis({ host: ctx.topology.host, port: ctx.topology.redis.masterProxy, lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  await redis.connect();
  const seatId = 900_000_000 + Math.floor(Math.random() * 1e8); // a key no real seat uses
  const ttlMs = 600;
  const first = createSeatLocks({ redis, owner: 'renewal-test-1', ttlMs });
  const second = createSeatLocks({ redis, owner: 'renewal-test-2', ttlMs });
  try {
    let observedAfterTtl = false;
    const outcome = await first.withSeatLock(seatId, async () => {
      const acquired = (await first.readLock(seatId))!;
      assert.equal(acquired.owner, 'renewal-test-1');
      // Work for three TTLs; the lock must still be ours at the end, so it was extended.
      await waitFor(() => Date.now() - acquired.since > ttlMs * 3, { timeoutMs: 10_000, intervalMs: 50, what: 'three lock TTLs to pass' });
      const still = await first.readLock(seatId);
      assert.ok(still, 'the lock is still held after three TTLs');
      assert.equal(still.since, acquired.since, 'the same lock, renewed, not a new one');
      assert.ok(still.ttlMs > 0);
      await assert.rejects(
        second.withSeatLock(seatId, async () => 'stolen'),
        SeatLockBusy,
      );
      observedAfterTtl = true;
      return 'done';
    });
    assert.deepEqual(outcome, { mode: 'REDIS', value: 'done' });
    assert.ok(observedAfterTtl);
    assert.equal(await redis.exists(seatLockKey(seatId)), 0, 'released when the holder finished');
    assert.deepEqual(await second.withSeatLock(seatId, async () => 'mine now'), { mode: 'REDIS', value: 'mine now' });
  } finally {
    redis.disconnect();
  }
});

// Report 2.0.1 scenario A, found by the drill redis-crash-lock-held: the holder's work is
// done (its hold committed) when Redis goes away, so only the release fails. The work must
// stand (not be retried under the database lock, which would answer the holder 409 for its
// own hold), and the orphaned lock must expire by its TTL.
test('a holder whose release fails because Redis went away keeps its result; the lock expires by TTL', { timeout: 60_000 }, async () => {
  const opts = { host: ctx.topology.host, port: ctx.topology.redis.masterProxy, lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: () => null };
  const redis = new Redis(opts);
  const observer = new Redis(opts);
  redis.on('error', () => {});
  await Promise.all([redis.connect(), observer.connect()]);
  const seatId = 900_000_000 + Math.floor(Math.random() * 1e8);
  const ttlMs = 1500;
  const errors: Error[] = [];
  const locks = createSeatLocks({ redis, owner: 'release-fails-test', ttlMs, onError: (e) => errors.push(e) });
  try {
    const outcome = await locks.withSeatLock(seatId, async () => {
      redis.disconnect(); // Redis is gone for this holder before it can release
      return 'committed';
    });
    assert.deepEqual(outcome, { mode: 'REDIS', value: 'committed' });
    assert.ok(errors.length > 0, 'the failed release is reported to onError');
    assert.equal(await observer.exists(seatLockKey(seatId)), 1, 'the lock could not be released');
    await waitFor(async () => (await observer.exists(seatLockKey(seatId))) === 0, { timeoutMs: ttlMs * 4, intervalMs: 100, what: 'the orphaned lock to expire by its TTL' });
  } finally {
    redis.disconnect();
    observer.disconnect();
  }
});
