import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../../lib/wait.ts';
import { parseJson, ctx, scratch } from './helpers.ts';
import { createToxiproxyApi } from '../../clients/toxiproxy.ts';

// `ticketctl health` against the real stack: every component, each with a real request;
// exit 0 when nothing is DOWN, exit 1 when the Redis master's proxy is disabled (what the
// service sees when Redis is unreachable).

const s = scratch('health');
const toxiproxy = createToxiproxyApi(`http://${ctx.topology.host}:${ctx.topology.toxiproxyApi}`);

async function setRedisProxy(enabled: boolean) {
  if ((await toxiproxy.proxy('redis-master')).enabled !== enabled) await toxiproxy.setEnabled('redis-master', enabled);
}
after(() => setRedisProxy(true));

const EXPECTED = [
  'kafka-1',
  'kafka-2',
  'kafka-3',
  'kafka-quorum',
  'kafka-topics',
  'redis-master',
  'redis-replica',
  'sentinel-1',
  'sentinel-2',
  'sentinel-3',
  'mariadb',
  'toxiproxy',
  'gateway',
  'service-1',
  'service-2',
  'service-3',
];

test('a healthy stack: exit 0, every component UP, documented JSON keys', { timeout: 120_000 }, async () => {
  const r = await s.run(['health', '-o', 'json']);
  assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
  const report = parseJson(r);
  assert.deepEqual(Object.keys(report), ['context', 'healthy', 'checkedAt', 'durationMs', 'summary', 'components']);
  assert.equal(report.healthy, true);
  assert.deepEqual(Object.keys(report.summary), ['up', 'warn', 'down', 'skip']);
  assert.deepEqual(
    report.components.map((c: any) => c.component),
    EXPECTED,
  );
  for (const c of report.components) {
    assert.deepEqual(Object.keys(c).sort(), ['component', 'detail', 'endpoint', 'group', 'latencyMs', 'status']);
    assert.notEqual(c.status, 'DOWN', `${c.component}: ${c.detail}`);
    assert.equal(typeof c.latencyMs, 'number');
  }
  const byName = Object.fromEntries(report.components.map((c: any) => [c.component, c]));
  assert.match(byName['kafka-quorum'].detail, /leader \d, epoch \d+, voters 1,2,3/);
  assert.match(byName['redis-master'].detail, /^master, 1 replica/);
  assert.match(byName['mariadb'].detail, /SELECT 1 as ticketctl_read ok; \d+ connection\(s\) of max \d+/);
  assert.match(byName['sentinel-1'].detail, /master "ticketing" at 127\.0\.0\.1:\d+/);
});

test('the redis-master proxy disabled: exit 1, redis-master DOWN, the table names it', { timeout: 120_000 }, async () => {
  await setRedisProxy(false);
  try {
    const json = await s.run(['health', '-o', 'json']);
    assert.equal(json.exitCode, 1, json.stderr);
    const report = parseJson(json);
    assert.equal(report.healthy, false);
    const byName = Object.fromEntries(report.components.map((c: any) => [c.component, c]));
    assert.equal(byName['redis-master'].status, 'DOWN');
    assert.equal(byName['toxiproxy'].status, 'WARN');
    assert.match(byName['toxiproxy'].detail, /disabled: redis-master/);
    assert.equal(byName['kafka-1'].status, 'UP', 'only what depends on Redis is affected');
    assert.equal(byName['redis-replica'].status, 'UP');

    const table = await s.run(['health', '-o', 'table']);
    assert.equal(table.exitCode, 1);
    assert.match(table.stdout, /^COMPONENT\s+STATUS\s+LATENCY\s+DETAIL$/m);
    assert.match(table.stdout, /^redis-master\s+DOWN\s+\d+ ms/m);
    assert.match(table.stdout, /Not healthy: .*redis-master/);
    assert.match(table.stdout, /Next: /);
  } finally {
    await setRedisProxy(true);
  }
  // The service instances reconnect to Redis on their own within a few seconds.
  await waitFor(async () => (await s.run(['health', '-o', 'json'])).exitCode === 0, { timeoutMs: 30_000, intervalMs: 1000, what: 'health to pass again once the proxy is back' });
});
