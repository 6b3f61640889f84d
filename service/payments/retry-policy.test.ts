import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OpsError } from '../../lib/errors.ts';
import { CircuitOpenError } from './breaker.ts';
import { createRetryPolicy, type RetryPolicyOptions } from './retry-policy.ts';

const retriable = new OpsError('gateway timed out', { code: 'GATEWAY_TIMEOUT', retriable: true });

// Small seeded PRNG (mulberry32) so sampled jitter is the same on every run.
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const caps = [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000];

test('delays grow exponentially from baseDelayMs and are capped at maxDelayMs', () => {
  const p = createRetryPolicy({ jitter: 'none' });
  assert.deepEqual(
    caps.map((_, i) => p.delayFor(i + 1)),
    caps,
  );
  assert.equal(p.delayFor(5000), 30_000, 'no overflow for huge attempts');
  const q = createRetryPolicy({ jitter: 'none', baseDelayMs: 200, multiplier: 3, maxDelayMs: 5000 });
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((a) => q.delayFor(a)),
    [200, 600, 1800, 5000, 5000],
  );
});

test('full jitter draws from random and stays within [0, cap]', () => {
  assert.equal(createRetryPolicy({ random: () => 0 }).delayFor(3), 0);
  assert.equal(createRetryPolicy({ random: () => 0.5 }).delayFor(3), 2000);
  assert.equal(createRetryPolicy({ random: () => 0.999999 }).delayFor(9), 29_999);
  let draws = 0;
  const rnd = seeded(42);
  const p = createRetryPolicy({
    random: () => {
      draws++;
      return rnd();
    },
  });
  caps.forEach((cap, i) => {
    const samples = Array.from({ length: 500 }, () => p.delayFor(i + 1));
    assert.ok(
      samples.every((d) => Number.isInteger(d) && d >= 0 && d <= cap),
      `attempt ${i + 1}`,
    );
    assert.ok(new Set(samples).size > 100, 'spread out, not constant');
  });
  assert.equal(draws, caps.length * 500);
});

test('equal jitter stays within [cap/2, cap]', () => {
  assert.equal(createRetryPolicy({ jitter: 'equal', random: () => 0 }).delayFor(2), 1000);
  assert.equal(createRetryPolicy({ jitter: 'equal', random: () => 0.999999 }).delayFor(2), 1999);
  const p = createRetryPolicy({ jitter: 'equal', random: seeded(7) });
  caps.forEach((cap, i) => {
    for (let n = 0; n < 500; n++) {
      const d = p.delayFor(i + 1);
      assert.ok(d >= cap / 2 && d <= cap, `attempt ${i + 1}: ${d}`);
    }
  });
});

test('decide retries with the next attempt number and the delay for this attempt', () => {
  const p = createRetryPolicy({ random: () => 0.5 });
  assert.deepEqual(p.decide({ attempt: 1, error: retriable }), { action: 'retry', delayMs: 500, nextAttempt: 2 });
  assert.deepEqual(p.decide({ attempt: 3, error: retriable }), { action: 'retry', delayMs: 2000, nextAttempt: 4 });
});

test('at most 3 retries normally, 1 in emergency mode, switchable at run time', () => {
  const p = createRetryPolicy({ random: () => 0 });
  const actions = () => [1, 2, 3, 4].map((attempt) => p.decide({ attempt, error: retriable }));
  assert.deepEqual(
    actions().map((d) => d.action),
    ['retry', 'retry', 'retry', 'give-up'],
  );
  assert.deepEqual(p.decide({ attempt: 4, error: retriable }), { action: 'give-up', reason: 'max-retries' });
  assert.equal(p.maxRetries(), 3);
  p.setEmergency(true);
  assert.equal(p.isEmergency(), true);
  assert.equal(p.maxRetries(), 1);
  assert.deepEqual(
    actions().map((d) => d.action),
    ['retry', 'give-up', 'give-up', 'give-up'],
  );
  assert.deepEqual(p.decide({ attempt: 2, error: retriable }), { action: 'give-up', reason: 'max-retries' });
  p.setEmergency(false);
  assert.equal(p.decide({ attempt: 2, error: retriable }).action, 'retry');
  assert.equal(createRetryPolicy({ emergency: true }).isEmergency(), true);
  assert.equal(createRetryPolicy({ maxRetries: 0, emergencyMaxRetries: 0 }).decide({ attempt: 1, error: retriable }).action, 'give-up');
});

test('non-retriable errors give up at once', () => {
  const p = createRetryPolicy();
  const declined = new OpsError('card declined', { code: 'CARD_DECLINED', retriable: false });
  for (const error of [declined, new Error('untyped'), 'a string', null, { retriable: 'yes' }]) {
    assert.deepEqual(p.decide({ attempt: 1, error }), { action: 'give-up', reason: 'not-retriable' });
  }
});

test('an open circuit gives up at once with reason circuit-open', () => {
  const p = createRetryPolicy();
  const open = new CircuitOpenError('payment-gateway', 12_000, 'wait for the probe');
  assert.deepEqual(p.decide({ attempt: 1, error: open }), { action: 'give-up', reason: 'circuit-open' });
  // The code decides, even on an error that claims to be retriable.
  assert.deepEqual(p.decide({ attempt: 1, error: { code: 'CIRCUIT_OPEN', retriable: true } }), { action: 'give-up', reason: 'circuit-open' });
});

test('bad options fail when the policy is built, naming the option and the range', () => {
  const bad: Array<[RetryPolicyOptions, RegExp]> = [
    [{ maxRetries: -1 }, /maxRetries must be an integer of at least 0; got -1/],
    [{ maxRetries: 1.5 }, /maxRetries/],
    [{ emergencyMaxRetries: 4 }, /emergencyMaxRetries must be an integer from 0 to maxRetries \(3\)/],
    [{ baseDelayMs: 0 }, /baseDelayMs must be a finite number of milliseconds above 0/],
    [{ maxDelayMs: 500 }, /maxDelayMs must be .*at least baseDelayMs \(1000\); got 500/],
    [{ multiplier: 0.5 }, /multiplier must be a finite number of at least 1/],
    [{ multiplier: Number.POSITIVE_INFINITY }, /multiplier.*got Infinity/],
    [{ jitter: 'decorrelated' as 'full' }, /jitter must be one of full, equal, none; got decorrelated/],
  ];
  for (const [options, message] of bad)
    assert.throws(
      () => createRetryPolicy(options),
      (e: unknown) => e instanceof RangeError && message.test(e.message),
    );
  assert.equal(createRetryPolicy({ maxRetries: undefined }).maxRetries(), 3, 'undefined means default');
  assert.throws(() => createRetryPolicy().decide({ attempt: 0, error: retriable }), /attempt .* at least 1; got 0/);
});
