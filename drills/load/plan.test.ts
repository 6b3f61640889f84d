import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LoadSpec } from '../format/types.ts';
import { planLoad } from './plan.ts';
import { createPrng } from './prng.ts';

const spec: LoadSpec = { seats: 20, operations: 30, contenders: 3, payRatio: 0.5, concurrency: 4, durationMs: 10_000, price: 100, instances: null, pollMs: 0, pollIntervalMs: 500 };

test('the same seed plans the same load; another seed another one', () => {
  assert.deepEqual(planLoad(spec, 7, 3), planLoad(spec, 7, 3));
  assert.notDeepEqual(planLoad(spec, 7, 3), planLoad(spec, 8, 3));
  assert.deepEqual([createPrng(1).next(), createPrng(1).next()], [createPrng(1).next(), createPrng(1).next()]);
});

test('the plan honours the spec: count, contention, window, instances', () => {
  const plan = planLoad(spec, 123, 3);
  assert.equal(plan.length, 30);
  const perSeat = Map.groupBy(plan, (op) => op.seat);
  assert.equal(perSeat.size, 10, '30 operations / 3 contenders = 10 seats');
  for (const ops of perSeat.values()) {
    assert.equal(ops.length, 3);
    assert.equal(new Set(ops.map((o) => o.userId)).size, 3, 'contenders are different users');
  }
  assert.ok(plan.every((op) => op.seat >= 0 && op.seat < 20 && op.instance >= 0 && op.instance < 3 && op.atMs >= 0 && op.atMs <= 10_000));
  assert.deepEqual(
    plan.map((op) => op.atMs),
    [...plan.map((op) => op.atMs)].sort((a, b) => a - b),
    'in time order',
  );
  assert.deepEqual(
    plan.map((op) => op.i),
    plan.map((_, i) => i),
  );
  const pays = plan.filter((op) => op.pay).length;
  assert.ok(pays > 5 && pays < 25, `about half pay (${pays})`);
});

test('payRatio 1 pays for every hold; 0 operations plans nothing', () => {
  assert.ok(planLoad({ ...spec, payRatio: 1 }, 5, 3).every((op) => op.pay));
  assert.deepEqual(planLoad({ ...spec, operations: 0 }, 5, 3), []);
});
