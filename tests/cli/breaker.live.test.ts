import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { adminUrl, adminCall } from '../helpers/service.ts';
import { ctx, parseJson, scratch, stackContextEntry } from './helpers.ts';

// Report 2.2.2 and 5 on the live instances: the breaker table, emergency retry mode and
// back, forcing the breaker open and resetting it, each confirmed by GET /admin/state.

const s = scratch('breaker');
const INSTANCES = [1, 2, 3];
const states = () => Promise.all(INSTANCES.map(async (n) => (await adminCall('GET', n, '/admin/state')).body));

after(async () => {
  await s.run(['breaker', 'retry-mode', 'normal', '--yes']);
  await s.run(['breaker', 'reset', '--yes']);
});

test('status: one row per instance with breaker, failures, retry mode and consumer profile; documented keys', { timeout: 60_000 }, async () => {
  const r = await s.run(['breaker', 'status', '-o', 'json']);
  assert.equal(r.exitCode, 0, r.stderr);
  const report = parseJson(r);
  assert.deepEqual(Object.keys(report), ['context', 'instances', 'summary']);
  assert.deepEqual(
    report.instances.map((i: any) => [i.instance, i.url, i.reachable]),
    INSTANCES.map((n) => [`service-${n}`, adminUrl(n), true]),
  );
  assert.deepEqual(Object.keys(report.instances[0]), ['instance', 'url', 'reachable', 'error', 'breaker', 'retryMode', 'maxRetries', 'consumerProfile']);
  for (const i of report.instances) {
    assert.equal(i.breaker.state, 'CLOSED');
    assert.deepEqual([i.retryMode, i.maxRetries, i.consumerProfile], ['normal', 3, 'normal']);
  }
  assert.deepEqual(report.summary, { instances: 3, unreachable: 0, open: 0, halfOpen: 0, emergencyRetry: 0, emergencyProfile: 0 });
  const table = await s.run(['breaker', 'status', '-o', 'table']);
  assert.match(table.stdout, /^INSTANCE\s+URL\s+BREAKER\s+FAILURES\s+RETRY MODE\s+CONSUMER PROFILE/);
  assert.equal(table.stdout.trim().split('\n').length, 4);
});

test('status: an instance that does not answer is a row saying so, exit 1', { timeout: 60_000 }, async () => {
  const dead = `http://127.0.0.1:${ctx.topology.serviceAdminPort(9)}`; // no instance 9 runs
  const env = s.config({ contexts: { four: stackContextEntry({ admin: { urls: [...INSTANCES.map(adminUrl), dead] } }) } });
  const r = await s.run(['--context', 'four', 'breaker', 'status', '-o', 'json'], env);
  assert.equal(r.exitCode, 1, r.stderr);
  const report = parseJson(r);
  assert.deepEqual(
    report.instances.map((i: any) => i.reachable),
    [true, true, true, false],
  );
  assert.deepEqual([report.instances[3].breaker, report.instances[3].error], [null, 'not running (connection refused)']);
  assert.match(r.stderr, /1 of 4 instance\(s\) did not answer\. Next: `ticketctl health`/);
  const table = await s.run(['--context', 'four', 'breaker', 'status', '-o', 'table'], env);
  assert.match(table.stdout, /service-4\s+\S+\s+UNREACHABLE/);
});

test('retry-mode: dry run and a refusal change nothing; emergency on every instance, then normal', { timeout: 120_000 }, async () => {
  const dry = await s.run(['breaker', 'retry-mode', 'emergency', '--dry-run', '-o', 'json']);
  assert.equal(dry.exitCode, 0, dry.stderr);
  assert.equal(parseJson(dry).plan.steps.length, 3);
  const refused = await s.run(['breaker', 'retry-mode', 'emergency']);
  assert.equal(refused.exitCode, 2, refused.stderr);
  assert.match(refused.stderr, /--yes/);
  for (const st of await states()) assert.equal(st.retry.emergency, false);

  const r = await s.run(['breaker', 'retry-mode', 'emergency', '--yes', '-o', 'json']);
  assert.equal(r.exitCode, 0, r.stderr);
  const out = parseJson(r);
  assert.deepEqual(
    out.outcome.instances.map((i: any) => [i.instance, i.before, i.after]),
    INSTANCES.map((n) => [`service-${n}`, 'normal', 'emergency']),
  );
  assert.equal(out.plan.rollback, 'ticketctl breaker retry-mode normal');
  for (const st of await states()) assert.deepEqual(st.retry, { emergency: true, maxRetries: 1 });
  assert.equal(parseJson(await s.run(['breaker', 'status', '-o', 'json'])).summary.emergencyRetry, 3);

  const back = await s.run(['breaker', 'retry-mode', 'normal', '--yes']);
  assert.equal(back.exitCode, 0, back.stderr);
  for (const st of await states()) assert.deepEqual(st.retry, { emergency: false, maxRetries: 3 });
  assert.deepEqual(
    s
      .audit()
      .filter((a) => a.command === 'breaker retry-mode')
      .map((a) => a.result),
    ['refused', 'ok', 'ok'],
  );
});

test('open forces every breaker OPEN until reset closes it', { timeout: 120_000 }, async () => {
  const open = await s.run(['breaker', 'open', '--yes', '-o', 'table']);
  assert.equal(open.exitCode, 0, open.stderr);
  assert.match(open.stdout, /To undo: ticketctl breaker reset/);
  for (const st of await states()) assert.deepEqual([st.breaker.state, st.breaker.forced], ['OPEN', true]);
  const status = await s.run(['breaker', 'status', '-o', 'json']);
  assert.equal(status.exitCode, 0, status.stderr);
  assert.equal(parseJson(status).summary.open, 3);
  assert.match(status.stderr, /3 breaker\(s\) not CLOSED.*ticketctl breaker reset --dry-run/);

  const reset = await s.run(['breaker', 'reset', '--yes']);
  assert.equal(reset.exitCode, 0, reset.stderr);
  for (const st of await states()) assert.deepEqual([st.breaker.state, st.breaker.forced], ['CLOSED', false]);
});

test('usage: bad values and flags exit 2', { timeout: 60_000 }, async () => {
  for (const args of [
    ['breaker', 'retry-mode', 'turbo'],
    ['breaker', 'status', '--output', 'xml'],
    ['breaker', 'reset', 'now'],
    ['breaker', 'retry-mode'],
  ]) {
    const r = await s.run(args);
    assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
  }
  for (const st of await states()) assert.equal(st.retry.emergency, false);
});
