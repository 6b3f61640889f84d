import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { Admin, Consumer } from 'kafkajs';
import { delay, waitFor } from '../../lib/wait.ts';
import { CONSUMER_GROUP } from '../../contracts/topics.ts';
import { findComponent } from '../../stack/components/index.ts';
import { readServiceInstances, serviceInstancesFile } from '../../stack/service-instances.ts';
import { runningRecord } from '../../stack/supervisor/managed.ts';
import { testKafka, withKafkaAdmin } from '../helpers/kafka.ts';
import { call, freshConcert, hold, instanceUrl, waitForFinal } from '../helpers/service.ts';
import { uniqueName } from '../helpers/stack.ts';
import { ctx, parseJson, scratch, stackContextEntry } from './helpers.ts';

// Runbook 4.2 on the live stack: lag verdicts that really fail (a group nobody consumes
// for: STOP; a member that never commits: STALL) and the real group OK after it drained;
// scaling out to 4 and back to 3; the emergency consumer profile and back.

const s = scratch('consumers');
const kafka = testKafka(ctx);
const PRICE = 50_000;

const withAdmin = <T>(fn: (admin: Admin) => Promise<T>): Promise<T> => withKafkaAdmin(kafka, fn);

// Test topics and groups, deleted afterwards so `consumers lag --all-groups` stays clean.
const created = { topics: [] as string[], groups: [] as string[] };

/** A fresh topic with `count` messages in its one partition. */
async function topicWith(count: number): Promise<string> {
  const topic = uniqueName('lag-test');
  created.topics.push(topic);
  await withAdmin(async (a) => {
    await a.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 3 }], waitForLeaders: false });
    // kafkajs's own waitForLeaders can fail on a metadata answer that is merely early.
    await waitFor(async () => ((await a.fetchTopicMetadata({ topics: [topic] })).topics[0]?.partitions[0]?.leader ?? -1) >= 0, { timeoutMs: 30_000, intervalMs: 300, what: `a leader for ${topic}` });
  });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, acks: -1, messages: Array.from({ length: count }, (_, i) => ({ value: `m${i}` })) });
  await producer.disconnect();
  return topic;
}

const adminState = async (n: number) => (await call('GET', `${instanceUrl(n)}/admin/state`)).body;
const instancesRunning = () => [1, 2, 3, 4].filter((n) => runningRecord(ctx.paths, findComponent(ctx.topology, `service-${n}`)!));

after(async () => {
  await withAdmin(async (admin) => {
    await admin.deleteGroups(created.groups).catch(() => {});
    if (created.topics.length) await admin.deleteTopics({ topics: created.topics }).catch(() => {});
  });
  // Leave the stack as the next test file expects it: 3 instances, normal settings.
  if (readServiceInstances(ctx.paths) !== 3 || instancesRunning().length !== 3) await s.run(['consumers', 'scale', '3', '--yes']);
  await s.run(['consumers', 'profile', 'normal', '--yes']);
});

test('lag: the real group is OK after a payment drained; JSON has every partition, its members and owners', { timeout: 180_000 }, async () => {
  const { seatIds } = await freshConcert(1, PRICE);
  const userId = `u-${randomUUID().slice(0, 8)}`;
  const h = await hold(seatIds[0]!, userId, instanceUrl(1));
  const paymentTxId = randomUUID();
  assert.equal((await call('POST', `${instanceUrl(2)}/payments`, { paymentTxId, holdId: h.holdId, holdSecret: h.holdSecret, userId, amount: PRICE })).status, 202);
  assert.equal((await waitForFinal(paymentTxId)).status, 'SUCCESS');

  // The saga's commit may trail the database by a moment: judge once it has landed.
  const r = await waitFor(
    async () => {
      const x = await s.run(['consumers', 'lag', '--window', '2', '--samples', '3', '-o', 'json']);
      return x.exitCode === 0 ? x : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 1000, what: 'the real group to be OK' },
  );
  const report = parseJson(r);
  assert.deepEqual(Object.keys(report), ['context', 'window', 'verdict', 'groups']);
  assert.deepEqual(report.window, { seconds: 2, samples: 3 });
  assert.equal(report.verdict, 'OK');
  const g = report.groups[0];
  assert.deepEqual(Object.keys(g), ['group', 'state', 'verdict', 'reason', 'totalLag', 'members', 'topics', 'partitions']);
  assert.equal(g.group, CONSUMER_GROUP);
  assert.equal(g.state, 'Stable');
  assert.deepEqual(g.topics, ['payment.cancel', 'payment.failure', 'payment.retry', 'payment.try']);
  assert.equal(g.partitions.length, 12);
  assert.deepEqual(
    g.members.map((m: any) => m.clientId),
    ['ticketing-service-1', 'ticketing-service-2', 'ticketing-service-3'],
  );
  assert.deepEqual(Object.keys(g.partitions[0]), ['topic', 'partition', 'committed', 'logStart', 'logEnd', 'lag', 'lagSamples', 'owner', 'verdict', 'reason']);
  for (const p of g.partitions) {
    assert.equal(p.lag, 0, `${p.topic}/${p.partition}`);
    assert.match(p.owner, /^ticketing-service-[123]$/);
    assert.equal(p.lagSamples.length, 3);
  }
  // The payment's payment.try event was consumed and committed somewhere.
  assert.ok(g.partitions.some((p: any) => p.topic === 'payment.try' && p.committed > 0 && p.committed === p.logEnd));
});

test('lag: a group nobody consumes for is STOP, with or without a committed offset; exit 1 naming what to run', { timeout: 120_000 }, async () => {
  const topic = await topicWith(5);
  const group = uniqueName('lag-stop');
  created.groups.push(group);
  const none = await s.run(['consumers', 'lag', '--group', group, '--topic', topic, '--window', '0', '-o', 'json']);
  assert.equal(none.exitCode, 1, none.stderr);
  const a = parseJson(none).groups[0];
  assert.deepEqual([a.verdict, a.state, a.members.length, a.partitions[0].committed, a.partitions[0].lag], ['STOP', 'Dead', 0, null, 5]);
  assert.match(a.partitions[0].reason, /no committed offset, 5 message/);
  assert.match(none.stderr, /Consumer lag verdict STOP.*\n.*Next \(STOP\)/);

  // A group that committed 2 of 5 and whose consumers are gone.
  await withAdmin((admin) => admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '2' }] }));
  const gone = await s.run(['consumers', 'lag', '--group', group, '--topic', topic, '--window', '1', '--samples', '2', '-o', 'json']);
  assert.equal(gone.exitCode, 1, gone.stderr);
  const b = parseJson(gone).groups[0].partitions[0];
  assert.deepEqual([b.verdict, b.committed, b.lag, b.owner], ['STOP', 2, 3, null]);
  assert.match(b.reason, /no member in the group/);
});

test('lag: a member that holds its partition but never commits is STALL', { timeout: 120_000 }, async () => {
  const topic = await topicWith(4);
  const group = uniqueName('lag-stall');
  created.groups.push(group);
  await withAdmin((admin) => admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '1' }] }));
  let release!: () => void;
  const stuck = new Promise<void>((resolve) => (release = resolve));
  const consumer: Consumer = kafka.consumer({ groupId: group, sessionTimeout: 30_000 });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic] });
    let got = false;
    await consumer.run({
      eachMessage: async () => {
        got = true;
        await stuck;
      },
    });
    await waitFor(() => got, { timeoutMs: 60_000, intervalMs: 200, what: 'the stuck consumer to receive its first message' });
    const r = await s.run(['consumers', 'lag', '--group', group, '--window', '2', '--samples', '3', '-o', 'json']);
    assert.equal(r.exitCode, 1, r.stderr);
    const g = parseJson(r).groups[0];
    assert.deepEqual(g.topics, [topic], 'the topic is found from the member subscription');
    assert.equal(g.members.length, 1);
    const p = g.partitions[0];
    assert.deepEqual([p.verdict, p.committed, p.lag, p.lagSamples], ['STALL', 1, 3, [3, 3, 3]]);
    assert.match(p.reason, /committed offset stuck at 1/);
    assert.match(r.stderr, /Next \(STALL\)/);
  } finally {
    release();
    await consumer.disconnect().catch(() => {});
  }
});

test('lag: a consumer that commits but falls further behind is WARN', { timeout: 120_000 }, async () => {
  const topic = await topicWith(10);
  const group = uniqueName('lag-warn');
  created.groups.push(group);
  // Two messages a second consumed (committed every 300 ms), forty a second produced.
  const consumer: Consumer = kafka.consumer({ groupId: group });
  const producer = kafka.producer();
  let producing = true;
  let handled = 0;
  try {
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommitInterval: 300,
      eachMessage: async () => {
        handled++;
        await delay(500);
      },
    });
    await waitFor(() => handled >= 2, { timeoutMs: 60_000, intervalMs: 200, what: 'the slow consumer to commit' });
    const load = (async () => {
      while (producing) {
        await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: `more${i}` })) });
        await delay(250);
      }
    })();
    const r = await s.run(['consumers', 'lag', '--group', group, '--window', '3', '--samples', '4', '-o', 'json']);
    producing = false;
    await load;
    assert.equal(r.exitCode, 1, r.stderr);
    const p = parseJson(r).groups[0].partitions[0];
    assert.equal(p.verdict, 'WARN', JSON.stringify(p));
    assert.match(p.reason, /lag did not decrease over \d+\.\d s \(\d+ -> \d+\)/);
    assert.ok(p.lagSamples.at(-1) > p.lagSamples[0]);
    assert.match(r.stderr, /Next \(WARN\).*consumers scale <count> --dry-run.*consumers profile emergency --dry-run/);
  } finally {
    producing = false;
    await consumer.disconnect().catch(() => {});
    await producer.disconnect().catch(() => {});
  }
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
  const dead = `http://127.0.0.1:${ctx.topology.servicePort(9)}`; // no instance 9 runs
  const env = s.config({ contexts: { four: stackContextEntry({ services: [1, 2, 3].map(instanceUrl).concat(dead) }) } });
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
