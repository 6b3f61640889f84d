import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readServiceConfig } from './config.ts';
import { UsageError } from '../lib/errors.ts';

test('SEAT_LOCK: redis by default, database on request, anything else refused naming the variable', () => {
  assert.equal(readServiceConfig({}).seatLock, 'redis');
  assert.equal(readServiceConfig({ SEAT_LOCK: 'database' }).seatLock, 'database');
  assert.throws(
    () => readServiceConfig({ SEAT_LOCK: 'mysql' }),
    (err: unknown) => err instanceof UsageError && /SEAT_LOCK="mysql" must be one of redis, database/.test(err.message),
  );
});
