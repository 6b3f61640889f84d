import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OpsError } from '../../lib/errors.ts';
import { createCircuitBreaker, CircuitOpenError, type BreakerOptions, type StateChange } from './breaker.ts';

class DeclineError extends Error {}

function setup(options: BreakerOptions = {}) {
  let t = 1_000;
  const b = createCircuitBreaker({ name: 'payment-gateway', now: () => t, ...options });
  const ok = () => b.execute(async () => 'ok');
  const fail = () =>
    b
      .execute(async () => {
        throw new Error('gateway 502');
      })
      .catch((err: unknown) => err);
  const times = async (n: number, call: () => Promise<unknown>) => {
    for (let i = 0; i < n; i++) await call();
  };
  const advance = (ms: number) => {
    t += ms;
  };
  const open = async () => {
    await times(5, fail);
    assert.equal(b.state(), 'OPEN');
  };
  return { b, ok, fail, times, advance, open, now: () => t };
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

test('stays closed below minimumCalls even when every call fails', async () => {
  const { b, fail, times } = setup();
  await times(4, fail);
  assert.equal(b.state(), 'CLOSED');
  assert.deepEqual([b.snapshot().calls, b.snapshot().failures, b.snapshot().failureRate], [4, 4, 1]);
});

test('opens at 3 failures of 5 (60 % > 50 %)', async () => {
  const { b, ok, fail, times } = setup();
  await times(2, ok);
  await times(2, fail);
  assert.equal(b.state(), 'CLOSED', '4 calls: below minimumCalls');
  await fail();
  assert.equal(b.state(), 'OPEN');
  assert.equal(b.snapshot().failureRate, 0.6);
});

test('does not open at exactly 50 %, opens just above it', async () => {
  const { b, ok, fail, times } = setup();
  await times(5, ok);
  await times(5, fail);
  assert.equal(b.state(), 'CLOSED');
  assert.equal(b.snapshot().failureRate, 0.5);
  await fail();
  assert.equal(b.state(), 'OPEN');
});

test('rejects at once while open, with retryAfterMs counting down to the probe', async () => {
  const { b, advance, open, now } = setup();
  await open();
  const openedAt = now();
  advance(10_000);
  let called = false;
  const err = await b
    .execute(async () => {
      called = true;
    })
    .catch((e: unknown) => e);
  assert.equal(called, false);
  assert.ok(err instanceof CircuitOpenError && err instanceof OpsError);
  assert.equal(err.code, 'CIRCUIT_OPEN');
  assert.equal(err.retriable, false);
  assert.equal(err.retryAfterMs, 20_000);
  assert.match(err.message, /Circuit breaker open \(payment-gateway\)/);
  assert.match(err.hint ?? '', /5 of the last 5 calls failed.*in 20 s/);
  advance(19_999);
  assert.deepEqual([b.snapshot().state, b.snapshot().retryAfterMs, b.snapshot().openedAt], ['OPEN', 1, openedAt]);
});

test('half-open admits exactly one probe under concurrency', async () => {
  const { b, advance, open } = setup();
  await open();
  advance(30_000);
  assert.equal(b.state(), 'HALF_OPEN');
  const gate = deferred<string>();
  let calls = 0;
  const probe = b.execute(() => {
    calls++;
    return gate.promise;
  });
  const others = await Promise.allSettled(
    [1, 2, 3].map(() =>
      b.execute(async () => {
        calls++;
      }),
    ),
  );
  assert.equal(calls, 1);
  for (const r of others) {
    assert.ok(r.status === 'rejected' && r.reason instanceof CircuitOpenError && r.reason.retryAfterMs === 0);
  }
  gate.resolve('charged');
  assert.equal(await probe, 'charged');
  assert.equal(b.state(), 'CLOSED');
});

test('probe success closes and clears the window', async () => {
  const { b, ok, advance, open } = setup();
  await open();
  advance(30_000);
  await ok();
  assert.deepEqual(b.snapshot(), { state: 'CLOSED', failureRate: 0, calls: 0, failures: 0, openedAt: null, retryAfterMs: null, forced: false });
});

test('probe failure reopens for another full duration', async () => {
  const { b, fail, advance, open, now } = setup();
  await open();
  advance(45_000);
  await fail();
  assert.equal(b.state(), 'OPEN');
  assert.equal(b.snapshot().openedAt, now());
  assert.equal(b.snapshot().retryAfterMs, 30_000);
  const err = await b.execute(async () => 'x').catch((e: unknown) => e);
  assert.ok(err instanceof CircuitOpenError);
  assert.match(err.hint ?? '', /again after the half-open probe failed; one probe call is let through in 30 s/);
  advance(29_999);
  assert.equal(b.state(), 'OPEN');
  advance(1);
  assert.equal(b.state(), 'HALF_OPEN');
});

test('the sliding window forgets outcomes older than windowSize calls', async () => {
  const { b, ok, fail, times } = setup({ windowSize: 10 });
  await times(10, ok);
  await times(4, fail);
  assert.deepEqual([b.snapshot().calls, b.snapshot().failures], [10, 4]);
  await times(10, ok);
  assert.deepEqual([b.snapshot().calls, b.snapshot().failures], [10, 0]);
  await times(5, fail);
  assert.equal(b.state(), 'CLOSED', '5 of the last 10');
  await fail();
  assert.equal(b.state(), 'OPEN', '6 of the last 10');
});

test('isFailure keeps card declines out of the failure rate, and the decline still reaches the caller', async () => {
  const { b, advance, open } = setup();
  const notDecline = (err: unknown) => !(err instanceof DeclineError);
  const decline = () =>
    b.execute(async () => {
      throw new DeclineError('card declined');
    }, notDecline);
  for (let i = 0; i < 10; i++) await assert.rejects(decline(), DeclineError);
  assert.deepEqual([b.state(), b.snapshot().calls, b.snapshot().failures], ['CLOSED', 10, 0]);
  b.reset();
  assert.equal(b.snapshot().calls, 0, 'reset while closed clears the window');
  await open();
  advance(30_000);
  await assert.rejects(decline(), DeclineError);
  assert.equal(b.state(), 'CLOSED', 'a decline proves the gateway answers');
});

test('an outcome from a call admitted before a state change is ignored', async () => {
  const { b, fail, times, advance } = setup();
  const slow = deferred<string>();
  const pending = b.execute(() => slow.promise);
  await times(5, fail);
  advance(30_000);
  assert.equal(b.state(), 'HALF_OPEN');
  slow.resolve('late');
  assert.equal(await pending, 'late');
  assert.equal(b.state(), 'HALF_OPEN', 'the slow call is not the probe');
});

test('listeners fire on each transition with a reason, and can be removed', async () => {
  const { b, ok, fail, advance, open } = setup();
  const seen: string[] = [];
  const off = b.onStateChange((c: StateChange) => seen.push(`${c.from}>${c.to}:${c.reason}`));
  await open();
  advance(30_000);
  await fail();
  advance(30_000);
  await ok();
  b.forceOpen();
  advance(120_000);
  assert.equal(b.state(), 'OPEN', 'forced open holds until reset');
  assert.equal(b.snapshot().forced, true);
  b.reset();
  off();
  await open();
  assert.deepEqual(seen, [
    'CLOSED>OPEN:failure-rate',
    'OPEN>HALF_OPEN:open-elapsed',
    'HALF_OPEN>OPEN:probe-failed',
    'OPEN>HALF_OPEN:open-elapsed',
    'HALF_OPEN>CLOSED:probe-succeeded',
    'CLOSED>OPEN:forced',
    'OPEN>CLOSED:reset',
  ]);
});

test('halfOpenMaxCalls above 1 needs every probe to succeed before closing', async () => {
  const { b, ok, advance, open } = setup({ halfOpenMaxCalls: 2 });
  await open();
  advance(30_000);
  await ok();
  assert.equal(b.state(), 'HALF_OPEN');
  await ok();
  assert.equal(b.state(), 'CLOSED');
});

test('bad options fail when the breaker is built, naming the option and the range', () => {
  const bad: Array<[BreakerOptions, RegExp]> = [
    [{ failureRateThreshold: 1 }, /failureRateThreshold must be a number from 0 up to \(not including\) 1.*got 1/],
    [{ failureRateThreshold: -0.1 }, /failureRateThreshold/],
    [{ windowSize: 0 }, /windowSize must be an integer of at least 1/],
    [{ minimumCalls: 21 }, /minimumCalls must be an integer from 1 to windowSize \(20\)/],
    [{ minimumCalls: 2.5 }, /minimumCalls/],
    [{ openDurationMs: Number.NaN }, /openDurationMs must be a finite number.*got NaN/],
    [{ openDurationMs: 0 }, /openDurationMs/],
    [{ halfOpenMaxCalls: 0 }, /halfOpenMaxCalls must be an integer of at least 1/],
  ];
  for (const [options, message] of bad)
    assert.throws(
      () => createCircuitBreaker(options),
      (e: unknown) => e instanceof RangeError && message.test(e.message),
    );
  assert.equal(createCircuitBreaker({ openDurationMs: undefined }).snapshot().state, 'CLOSED', 'undefined means default');
});
