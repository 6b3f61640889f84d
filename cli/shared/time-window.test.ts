import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../lib/errors.ts';
import { parseTimeFlag, parseWindow } from './time-window.ts';

const now = new Date('2026-11-25T12:00:00.000Z');

test('durations count back from now', () => {
  assert.equal(parseTimeFlag('--since', '30m', now).toISOString(), '2026-11-25T11:30:00.000Z');
  assert.equal(parseTimeFlag('--since', '24h', now).toISOString(), '2026-11-24T12:00:00.000Z');
  assert.equal(parseTimeFlag('--since', '2d', now).toISOString(), '2026-11-23T12:00:00.000Z');
  assert.equal(parseTimeFlag('--since', '90s', now).toISOString(), '2026-11-25T11:58:30.000Z');
});

test('ISO times: with a zone as given, without one as UTC, a bare date as midnight UTC', () => {
  assert.equal(parseTimeFlag('--since', '2026-11-25T10:00:00+02:00', now).toISOString(), '2026-11-25T08:00:00.000Z');
  assert.equal(parseTimeFlag('--since', '2026-11-25T10:00:00', now).toISOString(), '2026-11-25T10:00:00.000Z');
  assert.equal(parseTimeFlag('--since', '2026-11-25 10:00', now).toISOString(), '2026-11-25T10:00:00.000Z');
  assert.equal(parseTimeFlag('--since', '2026-11-25', now).toISOString(), '2026-11-25T00:00:00.000Z');
});

test('anything else is a usage error naming the flag', () => {
  for (const bad of ['', 'yesterday', '10', '5w', '-1h', '2026-13-45T99:00:00Z', '1h30m']) {
    assert.throws(
      () => parseTimeFlag('--until', bad, now),
      (err: unknown) => err instanceof UsageError && err.exitCode === 2 && /--until/.test(err.message),
      bad,
    );
  }
});

test('a window: defaults, and since after until or in the future refused', () => {
  const w = parseWindow({}, now, '1h');
  assert.equal(w.since.toISOString(), '2026-11-25T11:00:00.000Z');
  assert.equal(w.until.toISOString(), now.toISOString());
  assert.throws(() => parseWindow({ since: '1h', until: '2h' }, now, '1h'), /after --until/);
  assert.throws(() => parseWindow({ since: '2026-11-26T00:00:00Z', until: '2026-11-27T00:00:00Z' }, now, '1h'), /future/);
});
