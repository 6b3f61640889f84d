import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor, WaitTimeoutError } from './wait.ts';

test('waitFor returns the first truthy value', async () => {
  let calls = 0;
  assert.equal(await waitFor(() => (++calls >= 3 ? 'ready' : undefined), { timeoutMs: 5000, intervalMs: 1, what: 'x' }), 'ready');
  assert.equal(calls, 3);
});

test('waitFor times out naming what it waited for and the last error', async () => {
  await assert.rejects(
    waitFor(() => Promise.reject(new Error('connection refused')), { timeoutMs: 50, intervalMs: 10, what: 'kafka-1 to answer' }),
    (err) => err instanceof WaitTimeoutError && /kafka-1 to answer: last attempt said connection refused/.test(err.message),
  );
});

test('waitFor stops when its signal aborts', async () => {
  const ac = new AbortController();
  setTimeout(() => ac.abort(new Error('stop')), 20);
  await assert.rejects(
    waitFor(() => false, { timeoutMs: 10_000, intervalMs: 5, what: 'never', signal: ac.signal }),
    /stop/,
  );
});
