import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median, percentile, summarize } from './percentile.ts';

test('nearest rank: p99 of 1..1000 is 990, p50 is 500, p100 is the max', () => {
  const xs = Array.from({ length: 1000 }, (_, i) => 1000 - i); // unsorted on purpose
  assert.equal(percentile(xs, 99), 990);
  assert.equal(percentile(xs, 50), 500);
  assert.equal(percentile(xs, 100), 1000);
});

test('small samples: p99 of fewer than 100 samples is the largest one', () => {
  assert.equal(percentile([3, 1, 2], 99), 3);
  assert.equal(percentile([3, 1, 2], 50), 2);
  assert.equal(percentile([7], 1), 7);
});

test('empty input is NaN, an out-of-range p is an error', () => {
  assert.ok(Number.isNaN(percentile([], 50)));
  assert.throws(() => percentile([1], 0), RangeError);
  assert.throws(() => percentile([1], 101), RangeError);
});

test('median averages the two middle samples of an even count; input is not mutated', () => {
  const xs = [4, 1, 3, 2];
  assert.equal(median(xs), 2.5);
  assert.deepEqual(xs, [4, 1, 3, 2]);
  assert.equal(median([5, 1, 9]), 5);
  assert.ok(Number.isNaN(median([])));
});

test('summarize gives n, p50, p99 and max', () => {
  assert.deepEqual(summarize([10, 20, 30, 40]), { n: 4, p50: 20, p99: 40, max: 40 });
});
