import { test } from 'node:test';
import assert from 'node:assert/strict';
import { byAge, describeLock, olderThan, seatIdOf, type LiveInstance } from './lock-view.ts';

const NOW = 1_800_000_000_000;
const value = (owner: string, ageMs: number) => JSON.stringify({ token: 'abc', owner, since: NOW - ageMs });
const instances: LiveInstance[] = [{ instanceId: 'service-1', url: 'http://127.0.0.1:3001', healthy: true, lastBeatMs: 500, expiresInMs: 9500 }];

test('describeLock: owner, real age from since (not PTTL), time left, owner alive or gone', () => {
  const alive = describeLock({ key: 'seat-lock:42', value: value('service-1', 5000), pttlMs: 25_000 }, NOW, instances);
  assert.deepEqual([alive.seatId, alive.owner, alive.ageMs, alive.ttlMs, alive.neverExpires, alive.ownerState, alive.ownerUrl], [42, 'service-1', 5000, 25_000, false, 'alive', 'http://127.0.0.1:3001']);
  assert.equal(alive.since, new Date(NOW - 5000).toISOString());
  const gone = describeLock({ key: 'seat-lock:7', value: value('service-9', 60_000), pttlMs: -1 }, NOW, instances);
  assert.deepEqual([gone.ownerState, gone.ttlMs, gone.neverExpires, gone.ownerUrl], ['gone', null, true, null]);
});

test('describeLock: a value that is not the service JSON has an unknown owner and age', () => {
  for (const v of ['garbage', '{"owner":1}', '[]']) {
    const l = describeLock({ key: 'seat-lock:1', value: v, pttlMs: 1000 }, NOW, instances);
    assert.deepEqual([l.owner, l.ageMs, l.since, l.ownerState], [null, null, null, 'unknown'], v);
  }
});

test("describeLock: the seat's live hold is attached by seat id", () => {
  const hold = { holdId: 'h-1', status: 'ACTIVE', userId: 'u', expiresAt: new Date(NOW).toISOString() };
  const l = describeLock({ key: 'seat-lock:9', value: value('service-1', 1), pttlMs: 1 }, NOW, instances, new Map([[9, hold]]));
  assert.deepEqual(l.hold, hold);
  assert.equal(describeLock({ key: 'seat-lock:8', value: 'x', pttlMs: 1 }, NOW, instances, new Map([[9, hold]])).hold, null);
});

test('seatIdOf: only a numeric suffix is a seat id', () => {
  assert.equal(seatIdOf('seat-lock:123'), 123);
  assert.equal(seatIdOf('seat-lock:abc'), null);
  assert.equal(seatIdOf('other:123'), null);
});

test('byAge and olderThan: unknown age first and kept, then oldest first', () => {
  const mk = (key: string, v: string) => describeLock({ key, value: v, pttlMs: -1 }, NOW, []);
  const locks = [mk('seat-lock:1', value('a', 1000)), mk('seat-lock:2', 'x'), mk('seat-lock:3', value('a', 9000))];
  assert.deepEqual(
    locks.sort(byAge).map((l) => l.key),
    ['seat-lock:2', 'seat-lock:3', 'seat-lock:1'],
  );
  assert.deepEqual(
    locks.filter((l) => olderThan(l, 5000)).map((l) => l.key),
    ['seat-lock:2', 'seat-lock:3'],
  );
});
