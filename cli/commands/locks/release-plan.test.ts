import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeLock, type LiveInstance, type LockView } from './lock-view.ts';
import { releasePlan, skipReason, type ReleaseSelection } from './release-plan.ts';

const NOW = 1_800_000_000_000;
const live: LiveInstance[] = [{ instanceId: 'service-1', url: 'http://127.0.0.1:3001', healthy: true, lastBeatMs: 500, expiresInMs: 9500 }];
const lock = (seat: number, owner: string | null, ageMs: number, pttlMs: number): LockView =>
  describeLock({ key: `seat-lock:${seat}`, value: owner === null ? 'not-json' : JSON.stringify({ token: `t${seat}`, owner, since: NOW - ageMs }), pttlMs }, NOW, live);
const defaults: ReleaseSelection = { olderThanMs: 10_000, seats: null, forceOwnerAlive: false };

test('skipReason: releases only what nobody will release', () => {
  assert.equal(skipReason(lock(1, 'service-9', 60_000, -1), defaults), undefined, 'owner gone, old, no TTL');
  assert.equal(skipReason(lock(2, 'service-9', 60_000, 5000), defaults), undefined, 'owner gone, old, with TTL');
  assert.equal(skipReason(lock(3, null, 0, -1), defaults), undefined, 'unknown owner, no TTL');
  assert.match(skipReason(lock(4, null, 0, 5000), defaults)!, /unknown owner .* expires in 5 s on its own/);
  assert.match(skipReason(lock(5, 'service-9', 3000, -1), defaults)!, /younger than 10 s \(age 3 s\)/);
  assert.match(skipReason(lock(6, 'service-1', 60_000, -1), defaults)!, /owner service-1 is alive \(answers at http:\/\/127\.0\.0\.1:3001\)/);
  assert.equal(skipReason(lock(6, 'service-1', 60_000, -1), { ...defaults, forceOwnerAlive: true }), undefined, '--force-owner-alive');
  assert.match(skipReason(lock(7, 'service-1', 3000, -1), { ...defaults, forceOwnerAlive: true })!, /younger than/, 'forcing never takes a young lock');
});

test('releasePlan: one compare-and-delete step per stuck lock, the rest skipped with reasons, no undo', () => {
  const locks = [lock(1, 'service-9', 60_000, -1), lock(2, 'service-1', 60_000, 30_000), lock(3, 'service-9', 1000, 30_000)];
  const plan = releasePlan(locks, defaults, '127.0.0.1:16380');
  assert.equal(plan.title, 'release 1 stuck seat lock(s) of 3 in every seat');
  assert.deepEqual(plan.steps, ['delete seat-lock:1 (owner service-9, age 1m 0s, no expiry) on 127.0.0.1:16380, only if its value is still the one read now and it was not renewed since']);
  assert.deepEqual(
    plan.data.release.map((r) => [r.key, r.value]),
    [['seat-lock:1', locks[0]!.value]],
  );
  assert.deepEqual(
    plan.data.skipped.map((r) => r.key),
    ['seat-lock:2', 'seat-lock:3'],
  );
  assert.ok(plan.notes!.some((n) => /^skipped seat-lock:2: owner service-1 is alive/.test(n)));
  assert.ok(plan.notes!.some((n) => /no undo is possible.*database fence/.test(n)));
  assert.equal(plan.rollback, undefined);
});

test('releasePlan: --seat narrows the plan and names seats without a lock; nothing stuck means no steps', () => {
  const locks = [lock(1, 'service-9', 60_000, -1), lock(2, 'service-9', 60_000, -1)];
  const plan = releasePlan(locks, { ...defaults, seats: [2, 5] }, 'r:1');
  assert.deepEqual(
    plan.data.release.map((r) => r.seatId),
    [2],
  );
  assert.deepEqual(plan.data.notLocked, [5]);
  assert.ok(plan.notes!.includes('no lock on seat(s) 5'));
  const none = releasePlan([lock(3, 'service-1', 60_000, 9000)], defaults, 'r:1');
  assert.deepEqual(none.steps, []);
  assert.match(none.title, /none to release \(1 lock\(s\) seen\)/);
});
