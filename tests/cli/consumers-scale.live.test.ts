import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { findComponent } from '../../stack/components/index.ts';
import { readServiceInstances, serviceInstancesFile } from '../../stack/service-instances.ts';
import { runningRecord } from '../../stack/supervisor/managed.ts';
import { call, instanceUrl, adminCall, adminUrl } from '../helpers/service.ts';
import { ctx, parseJson, scratch, stackContextEntry } from './helpers.ts';

// Runbook 4.2.1 and 4.2.2 on the live stack: scaling out to 4 and back to 3; the emergency
// consumer profile and back; the usage errors of the consumers commands. Lag verdicts:
// consumers-lag.live.test.ts.

const s = scratch('consumers-scale');

const adminState = async (n: number) => (await adminCall('GET', n, '/admin/state')).body;
const instancesRunning = () => [1, 2, 3, 4].filter((n) => runningRecord(ctx.paths, findComponent(ctx.topology, `service-${n}`)!));

after(async () => {
  // Leave the stack as the next test file expects it: 3 instances, normal settings.
  if (readServiceInstances(ctx.paths) !== 3 || instancesRunning().length !== 3) await s.run(['consumers', 'scale', '3', '--yes']);
  await s.run(['consumers', 'profile', 'normal', '--yes']);
});

test('scale: dry run changes nothing; out to 4 (healthy, in the group, status agrees) and back to 3', { timeout: 600_000 }, async () => {
  const dry = await s.run(['consumers', 'scale', '4', '--dry-run', '-o', 'json']);
  assert.equal(dry.exitCode, 0, dry.stderr);
  const plan = parseJson(dry).plan;
  assert.deepEqual([plan.data.from, plan.data.to, plan.data.start, plan.data.idleConsumers, plan.rollback], [3, 4, ['service-4'], 1, 'ticketctl consumers scale 3']);
  assert.ok(plan.notes.some((n: string) => /warning: 4 consumers for payment.try's 3 partitions/.test(n)));
  assert.equal(readServiceInstances(ctx.paths), 3);
  assert.deepEqual(instancesRunning(), [1, 2, 3]);

  const refused = await s.run(['consumers', 'scale', '4']);
  assert.equal(refused.exitCode, 2, refused.stderr);
  assert.match(refused.stderr, /--yes/);
  assert.deepEqual(instancesRunning(), [1, 2, 3]);

  const out = await s.run(['consumers', 'scale', '4', '--yes', '-o', 'json']);
  assert.equal(out.exitCode, 0, out.stderr);
  assert.deepEqual(parseJson(out).outcome.members, ['ticketing-service-1', 'ticketing-service-2', 'ticketing-service-3', 'ticketing-service-4']);
  assert.deepEqual(JSON.parse(readFileSync(serviceInstancesFile(ctx.paths), 'utf8')), { count: 4 });
  assert.equal((await call('GET', `${instanceUrl(4)}/health`)).status, 200);
  const status = parseJson(await s.run(['stack', 'status', '-o', 'json']));
  assert.deepEqual(
    status.components.filter((c: any) => c.group === 'service').map((c: any) => [c.name, c.state]),
    [1, 2, 3, 4].map((n) => [`service-${n}`, 'up']),
  );
  const health = parseJson(await s.run(['health', '-o', 'json']));
  assert.ok(JSON.stringify(health).includes('service-4'), 'health checks the fourth instance too');

  // The recorded count is what `stack down`, `stack status` and `stack up` go by.
  assert.match((await s.run(['stack', 'down', '--dry-run'])).stdout, /service-4 \(pid \d+\)/);
  assert.equal((await s.run(['stack', 'down', '--only', 'service-4'])).exitCode, 0);
  const missing = await s.run(['stack', 'status', '-o', 'json']);
  assert.equal(missing.exitCode, 1);
  assert.equal(parseJson(missing).components.find((c: any) => c.name === 'service-4').state, 'down');
  const up = await s.run(['stack', 'up']);
  assert.equal(up.exitCode, 0, up.stderr);
  assert.match(up.stderr, /Started service-4 in/);
  assert.deepEqual(instancesRunning(), [1, 2, 3, 4]);

  const back = await s.run(['consumers', 'scale', '3', '--yes', '-o', 'json']);
  assert.equal(back.exitCode, 0, back.stderr);
  assert.deepEqual(parseJson(back).outcome.members, ['ticketing-service-1', 'ticketing-service-2', 'ticketing-service-3']);
  assert.deepEqual(instancesRunning(), [1, 2, 3]);
  await assert.rejects(call('GET', `${instanceUrl(4)}/health`, undefined, undefined, 3000));
  const after3 = parseJson(await s.run(['stack', 'status', '-o', 'json']));
  assert.deepEqual(
    after3.components.filter((c: any) => c.group === 'service').map((c: any) => c.name),
    ['service-1', 'service-2', 'service-3'],
  );
  assert.equal(after3.healthy, true);
  const audit = s.audit().filter((a) => a.command === 'consumers scale');
  assert.deepEqual(
    audit.map((a) => a.result),
    ['refused', 'ok', 'ok'],
  );
});

test('profile: emergency on every instance (confirmed by /admin/state), then normal', { timeout: 180_000 }, async () => {
  const r = await s.run(['consumers', 'profile', 'emergency', '--yes', '-o', 'json']);
  assert.equal(r.exitCode, 0, r.stderr);
  const o = parseJson(r).outcome;
  assert.deepEqual(
    o.instances.map((i: any) => [i.instance, i.before, i.after, i.ok]),
    [1, 2, 3].map((n) => [`service-${n}`, 'normal', 'emergency', true]),
  );
  assert.deepEqual(o.settings, { maxWaitTimeInMs: 100, sessionTimeout: 10_000, heartbeatInterval: 3000, maxBytesPerPartition: 1_048_576 });
  assert.equal(o.group.stable, true);
  for (const n of [1, 2, 3]) assert.equal((await adminState(n)).consumer.profile, 'emergency');

  const again = await s.run(['consumers', 'profile', 'emergency', '--yes']);
  assert.equal(again.exitCode, 0, again.stderr);
  assert.match(again.stderr, /Nothing to do/);

  const back = await s.run(['consumers', 'profile', 'normal', '--yes', '-o', 'json']);
  assert.equal(back.exitCode, 0, back.stderr);
  assert.equal(parseJson(back).plan.rollback, 'ticketctl consumers profile emergency');
  for (const n of [1, 2, 3]) assert.equal((await adminState(n)).consumer.profile, 'normal');
});

test('profile: an instance that is down is named, the others switch, exit 1', { timeout: 180_000 }, async () => {
  const dead = `http://127.0.0.1:${ctx.topology.serviceAdminPort(9)}`; // no instance 9 runs
  const env = s.config({ contexts: { four: stackContextEntry({ admin: { urls: [1, 2, 3].map(adminUrl).concat(dead) } }) } });
  const r = await s.run(['--context', 'four', 'consumers', 'profile', 'emergency', '--yes', '-o', 'json'], env);
  assert.equal(r.exitCode, 1, r.stderr);
  assert.match(r.stderr, /took effect on 3 of 4 instance\(s\)/);
  assert.match(r.stderr, /service-4: FAILED \(not running \(connection refused\)\)/);
  assert.match(r.stderr, /next: .*service-4/);
  for (const n of [1, 2, 3]) assert.equal((await adminState(n)).consumer.profile, 'emergency');
  assert.equal(s.audit().at(-1)!.result, 'failed');
  const back = await s.run(['consumers', 'profile', 'normal', '--yes']);
  assert.equal(back.exitCode, 0, back.stderr);
});

test('usage: bad flags and values exit 2 with a hint; nothing starts', { timeout: 60_000 }, async () => {
  for (const args of [
    ['consumers', 'lag', '--window', '-1'],
    ['consumers', 'lag', '--samples', '1'],
    ['consumers', 'lag', '--group', 'x', '--all-groups'],
    ['consumers', 'lag', '--topic', 'no-such-topic-here', '--window', '0'],
    ['consumers', 'scale', '10'],
    ['consumers', 'scale', 'two'],
    ['consumers', 'profile', 'turbo'],
    ['consumers', 'lag', '--bogus'],
  ]) {
    const r = await s.run(args);
    assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(r.stderr.length > 0);
  }
  assert.ok(!existsSync(serviceInstancesFile(ctx.paths)) || readServiceInstances(ctx.paths) === 3);
});
