import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from 'commander';
import { durationArg, formatDuration, parseDuration } from './duration.ts';

test('parseDuration: every unit, decimals, and nothing without a unit', () => {
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('10s'), 10_000);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration('2m'), 120_000);
  assert.equal(parseDuration('1h'), 3_600_000);
  assert.equal(parseDuration('0s'), 0);
  for (const bad of ['10', 's', '-1s', '10 sec', '1d', '', 'abc']) assert.equal(parseDuration(bad), undefined, bad);
});

test('durationArg: a bad value is a commander usage error naming the flag', () => {
  assert.equal(durationArg('--older-than')('30s'), 30_000);
  assert.throws(
    () => durationArg('--older-than')('soon'),
    (err: unknown) => err instanceof InvalidArgumentError && /--older-than must be a duration/.test(err.message),
  );
});

test('formatDuration: short and readable', () => {
  assert.equal(formatDuration(250), '250 ms');
  assert.equal(formatDuration(12_345), '12.3 s');
  assert.equal(formatDuration(10_000), '10 s');
  assert.equal(formatDuration(200_000), '3m 20s');
  assert.equal(formatDuration(3_720_000), '1h 2m');
});
