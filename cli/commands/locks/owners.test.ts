import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveInstancesFrom } from './owners.ts';

const beat = (instanceId: string, at: number) => JSON.stringify({ instanceId, url: `http://10.0.0.1:3001`, session: 's', startedAt: 0, at });

test('liveInstancesFrom: one instance per heartbeat, on time or late by its last beat, sorted by id; foreign values ignored', () => {
  const now = 100_000;
  const got = liveInstancesFrom(
    [
      { value: beat('service-10', now - 500), pttlMs: 9500 },
      { value: beat('service-2', now - 7000), pttlMs: 3000 },
      { value: 'not json', pttlMs: 5000 },
      { value: JSON.stringify({ owner: 'x' }), pttlMs: 5000 },
    ],
    now,
  );
  assert.deepEqual(
    got.map((i) => [i.instanceId, i.healthy, i.lastBeatMs, i.expiresInMs]),
    [
      ['service-2', false, 7000, 3000],
      ['service-10', true, 500, 9500],
    ],
  );
});
