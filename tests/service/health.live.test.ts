import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { waitFor } from '../../lib/wait.ts';
import { METRIC_NAMES } from '../../service/metrics.ts';
import { DEFAULT_SERVICE_INSTANCES } from '../../contracts/topology.ts';
import { call, freshConcert, hold, instanceUrl, serviceDb, sql, toxiproxy, waitForFinal, withProxiesDisabled } from '../helpers/service.ts';
import type { ToxicBody } from '../../clients/toxiproxy.ts';

// Health and metrics (report 2.0.2, 3, 5): /health answers 200 only when every dependency
// does and otherwise 503 naming the one that failed, fast; a database outage turns a hold
// into a quick 503 with Retry-After instead of a hang; /metrics speaks Prometheus text
// under the report's names. Every outage is a disabled Toxiproxy proxy, re-enabled in
// finally, and each test waits for full recovery before it ends.

after(async () => {
  await (await serviceDb()).end();
});

const INSTANCES = Array.from({ length: DEFAULT_SERVICE_INSTANCES }, (_, i) => i + 1);
const DEPENDENCIES = ['db', 'redis', 'kafka'] as const;

async function waitForHealthy(): Promise<void> {
  for (const n of INSTANCES) {
    await waitFor(async () => (await call('GET', `${instanceUrl(n)}/health`, undefined, undefined, 5000)).status === 200, {
      timeoutMs: 60_000,
      intervalMs: 500,
      what: `instance ${n} to answer /health 200`,
    });
  }
}

test('/health is 200 with db, redis and kafka UP; each /health/<dependency> answers UP', { timeout: 300_000 }, async () => {
  await waitForHealthy();
  for (const n of INSTANCES) {
    const all = await call('GET', `${instanceUrl(n)}/health`);
    assert.equal(all.status, 200, JSON.stringify(all.body));
    assert.equal(all.body.status, 'UP');
    assert.equal(all.body.instanceId, `service-${n}`);
    for (const dep of DEPENDENCIES) {
      assert.equal(all.body.checks[dep].status, 'UP', `${dep}: ${JSON.stringify(all.body.checks[dep])}`);
      const one = await call('GET', `${instanceUrl(n)}/health/${dep}`);
      assert.equal(one.status, 200, JSON.stringify(one.body));
      assert.equal(one.body.status, 'UP');
      assert.equal(typeof one.body.latencyMs, 'number');
    }
  }
});

test('Redis cut off: /health/redis is 503 DOWN within 3 s and /health 503 names redis; re-enabled, UP again', { timeout: 300_000 }, async () => {
  await waitForHealthy();
  await withProxiesDisabled(['redis-master'], async () => {
    for (const n of INSTANCES) {
      // The first request after the cut, no waiting for it to be noticed: it must be fast.
      const r = await call('GET', `${instanceUrl(n)}/health/redis`);
      assert.equal(r.status, 503, JSON.stringify(r.body));
      assert.equal(r.body.status, 'DOWN');
      assert.equal(typeof r.body.error, 'string');
      assert.ok(r.ms < 3000, `instance ${n}: /health/redis answered in ${Math.round(r.ms)} ms`);

      const all = await call('GET', `${instanceUrl(n)}/health`);
      assert.equal(all.status, 503, JSON.stringify(all.body));
      assert.equal(all.body.status, 'DOWN');
      assert.equal(all.body.checks.redis.status, 'DOWN');
      assert.equal(all.body.checks.db.status, 'UP', 'only the failed dependency is DOWN');
      assert.equal(all.body.checks.kafka.status, 'UP', 'only the failed dependency is DOWN');
      assert.ok(all.ms < 3000, `instance ${n}: /health answered in ${Math.round(all.ms)} ms`);
    }
  });
  for (const n of INSTANCES) {
    await waitFor(async () => (await call('GET', `${instanceUrl(n)}/health/redis`)).body.status === 'UP', { timeoutMs: 30_000, what: `instance ${n} to see Redis UP again` });
  }
  await waitForHealthy();
});

test('database cut off: POST /holds is a fast 503 with Retry-After, /health/db DOWN; re-enabled, holds work again', { timeout: 300_000 }, async (t) => {
  await waitForHealthy();
  const { seatIds } = await freshConcert(60);
  const during = seatIds.slice(0, 30);
  const afterwards = seatIds.slice(30);
  await withProxiesDisabled(['mariadb'], async () => {
    // 30 at once, 10 per instance: the pool's bounded wait, not a queue, decides how long they take.
    const results = await Promise.all(during.map((seatId, i) => call('POST', `${instanceUrl((i % DEFAULT_SERVICE_INSTANCES) + 1)}/holds`, { seatId, userId: `outage-${i}` })));
    t.diagnostic(`30 holds with the database proxy disabled: slowest 503 after ${Math.round(Math.max(...results.map((r) => r.ms)))} ms`);
    for (const r of results) {
      assert.equal(r.status, 503, JSON.stringify(r.body));
      assert.equal(r.body.error.code, 'DB_UNAVAILABLE');
      assert.match(r.headers.get('retry-after') ?? '', /^[1-9][0-9]*$/, 'Retry-After in whole seconds');
      // DB_ACQUIRE_TIMEOUT_MS is 2000: a request may wait that long for a connection, not more.
      assert.ok(r.ms < 4000, `a hold answered 503 after ${Math.round(r.ms)} ms`);
    }
    for (const n of INSTANCES) {
      const db = await call('GET', `${instanceUrl(n)}/health/db`);
      assert.equal(db.status, 503, JSON.stringify(db.body));
      assert.equal(db.body.status, 'DOWN');
      assert.ok(db.ms < 3000, `instance ${n}: /health/db answered in ${Math.round(db.ms)} ms`);
      const all = await call('GET', `${instanceUrl(n)}/health`);
      assert.equal(all.status, 503);
      assert.equal(all.body.checks.db.status, 'DOWN');
      assert.equal(all.body.checks.redis.status, 'UP');
    }
  });
  await waitForHealthy();
  for (const n of INSTANCES) {
    await waitFor(
      async () => {
        const r = await call('POST', `${instanceUrl(n)}/holds`, { seatId: afterwards.shift(), userId: `back-${n}` });
        if (r.status !== 201) throw new Error(`hold answered ${r.status}: ${JSON.stringify(r.body)}`);
        return true;
      },
      { timeoutMs: 30_000, what: `instance ${n} to take holds again` },
    );
  }
});

/** Adds a toxic to a proxy while fn runs, and always removes it. */
async function withToxic<T>(proxyName: string, toxic: ToxicBody, fn: () => Promise<T>): Promise<T> {
  await toxiproxy.addToxic(proxyName, toxic);
  try {
    return await fn();
  } finally {
    await toxiproxy.removeToxic(proxyName, toxic.name);
  }
}

test('database blackholed (connections open, nothing answers): holds are a bounded 503, no connection or lock leaks', { timeout: 300_000 }, async (t) => {
  await waitForHealthy();
  const { seatIds } = await freshConcert(9 + 3 * 30 + 30);
  const during = seatIds.slice(0, 9);
  const burst = seatIds.slice(9, 9 + 3 * 30);
  const spare = seatIds.slice(9 + 3 * 30);
  // Bytes to the database are dropped while every TCP connection stays up: the failure a
  // refused connection never shows. A pooled connection's query would wait forever, so
  // only the statement deadline (DB_STATEMENT_TIMEOUT_MS, 5 s) or the pool's acquire
  // deadline (2 s) can end it.
  await withToxic('mariadb', { name: 'db-blackhole', type: 'timeout', stream: 'upstream', toxicity: 1, attributes: { timeout: 0 } }, async () => {
    const results = await Promise.all(during.map((seatId, i) => call('POST', `${instanceUrl((i % DEFAULT_SERVICE_INSTANCES) + 1)}/holds`, { seatId, userId: `blackhole-${i}` }, undefined, 20_000)));
    t.diagnostic(`9 holds with the database blackholed: 503 after ${results.map((r) => Math.round(r.ms)).join(', ')} ms`);
    for (const r of results) {
      assert.equal(r.status, 503, JSON.stringify(r.body));
      assert.equal(r.body.error.code, 'DB_UNAVAILABLE');
      assert.match(r.headers.get('retry-after') ?? '', /^[1-9][0-9]*$/);
      assert.ok(r.ms < 8000, `a hold answered 503 after ${Math.round(r.ms)} ms; the statement deadline is 5 s`);
    }
    for (const n of INSTANCES) {
      const db = await call('GET', `${instanceUrl(n)}/health/db`, undefined, undefined, 10_000);
      assert.equal(db.status, 503, JSON.stringify(db.body));
      assert.ok(db.ms < 3000, `instance ${n}: /health/db answered in ${Math.round(db.ms)} ms`);
    }
  });
  await waitForHealthy();
  // Every pool recovered whole: 30 concurrent holds per instance (3x the pool) all succeed,
  // which a pool with connections stuck on the dead link could not do.
  for (const n of INSTANCES) {
    await waitFor(
      async () => {
        const r = await call('POST', `${instanceUrl(n)}/holds`, { seatId: spare.shift(), userId: `back-${n}` });
        if (r.status !== 201) throw new Error(`hold answered ${r.status}: ${JSON.stringify(r.body)}`);
        return true;
      },
      { timeoutMs: 30_000, what: `instance ${n} to take holds again` },
    );
  }
  const results = await Promise.all(burst.map((seatId, i) => call('POST', `${instanceUrl((i % DEFAULT_SERVICE_INSTANCES) + 1)}/holds`, { seatId, userId: `burst-${i}` })));
  assert.deepEqual(
    results.filter((r) => r.status !== 201).map((r) => [r.status, r.body]),
    [],
  );
  // The blackholed attempts left nothing: no hold rows, seats AVAILABLE.
  const rows = await sql("SELECT COUNT(*) AS holds, (SELECT COUNT(*) FROM seats WHERE id IN (?) AND status = 'AVAILABLE') AS free FROM holds WHERE seat_id IN (?)", [during, during]);
  assert.equal(Number(rows[0]!.holds), 0);
  assert.equal(Number(rows[0]!.free), during.length);
});

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text exposition format; fails on any line that is not in it. */
function parseExposition(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      types.set(type[1]!, type[2]!);
      continue;
    }
    if (line.startsWith('# HELP ')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$/.exec(line);
    assert.ok(m, `not Prometheus text: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[k!] = v!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return { types, samples };
}

test('/metrics is Prometheus text with the report names, samples after a hold and a payment', { timeout: 300_000 }, async () => {
  await waitForHealthy();
  const {
    seatIds: [seatId],
  } = await freshConcert(1);
  const h = await hold(seatId!, 'metrics-user');
  const paymentTxId = randomUUID();
  const p = await call('POST', `${instanceUrl(1)}/payments`, { paymentTxId, holdId: h.holdId, holdSecret: h.holdSecret, userId: h.userId, amount: 50_000 });
  assert.equal(p.status, 202, JSON.stringify(p.body));
  assert.equal((await waitForFinal(paymentTxId)).status, 'SUCCESS');

  const expectedTypes: Record<string, string> = {
    [METRIC_NAMES.paymentStatus]: 'gauge',
    [METRIC_NAMES.eventProcessing]: 'histogram',
    [METRIC_NAMES.dbPoolUsage]: 'gauge',
    [METRIC_NAMES.consumerLag]: 'gauge',
    [METRIC_NAMES.breakerOpen]: 'gauge',
    [METRIC_NAMES.redisResponse]: 'histogram',
  };
  assert.deepEqual(Object.keys(expectedTypes).sort(), [
    'circuit_breaker_open',
    'db_connection_pool_usage',
    'event_processing_duration',
    'kafka_consumer_lag_sum',
    'payment_transaction_status_count',
    'redis_response_time',
  ]);

  // Which instance consumed the payment's events is Kafka's choice: the histogram of event
  // processing must have samples on at least one of them, the rest on every one.
  let eventsProcessed = 0;
  for (const n of INSTANCES) {
    assert.equal((await call('GET', `${instanceUrl(n)}/health/redis`)).status, 200); // a timed Redis PING
    const res = await fetch(`${instanceUrl(n)}/metrics`, { signal: AbortSignal.timeout(10_000) });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const { types, samples } = parseExposition(await res.text());
    const of = (name: string) => samples.filter((s) => s.name === name);

    for (const [name, type] of Object.entries(expectedTypes)) assert.equal(types.get(name), type, `instance ${n}: # TYPE ${name} ${type}`);

    const success = of(METRIC_NAMES.paymentStatus).find((s) => s.labels.status === 'SUCCESS');
    assert.ok(success && success.value >= 1, `instance ${n}: payment_transaction_status_count{status="SUCCESS"} >= 1`);

    const usage = of(METRIC_NAMES.dbPoolUsage);
    assert.equal(usage.length, 1);
    assert.ok(usage[0]!.value >= 0 && usage[0]!.value <= 1, `instance ${n}: db_connection_pool_usage ${usage[0]!.value} is within 0..1`);
    assert.equal(usage[0]!.labels.instance_id, `service-${n}`);

    const lag = of(METRIC_NAMES.consumerLag);
    assert.ok(
      lag.some((s) => s.labels.topic === 'payment.try'),
      `instance ${n}: kafka_consumer_lag_sum{topic="payment.try"}`,
    );
    assert.ok(lag.every((s) => Number.isFinite(s.value) && s.value >= 0));

    const breaker = of(METRIC_NAMES.breakerOpen).filter((s) => s.labels.breaker === 'payment-gateway');
    // One series per state the breaker has been in (CLOSED from the start); exactly one is 1.
    assert.ok(
      breaker.some((s) => s.labels.state === 'CLOSED'),
      `instance ${n}: circuit_breaker_open{state="CLOSED"}`,
    );
    assert.ok(breaker.every((s) => ['CLOSED', 'OPEN', 'HALF_OPEN'].includes(s.labels.state!) && (s.value === 0 || s.value === 1)));
    assert.equal(
      breaker.reduce((sum, s) => sum + s.value, 0),
      1,
      'the breaker is in exactly one state',
    );

    const redisCount = of(`${METRIC_NAMES.redisResponse}_count`);
    assert.ok(redisCount.length === 1 && redisCount[0]!.value >= 1, `instance ${n}: redis_response_time_count >= 1`);

    eventsProcessed += of(`${METRIC_NAMES.eventProcessing}_count`)
      .filter((s) => s.labels.topic === 'payment.try')
      .reduce((sum, s) => sum + s.value, 0);
  }
  assert.ok(eventsProcessed >= 1, 'some instance observed event_processing_duration for payment.try');
});
