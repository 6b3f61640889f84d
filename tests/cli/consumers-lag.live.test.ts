import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Admin, Consumer } from 'kafkajs';
import { delay, waitFor } from '../../lib/wait.ts';
import { CONSUMER_GROUP } from '../../contracts/topics.ts';
import { testKafka, withKafkaAdmin } from '../helpers/kafka.ts';
import { call, freshConcert, hold, instanceUrl, waitForFinal } from '../helpers/service.ts';
import { uniqueName } from '../helpers/stack.ts';
import { ctx, parseJson, scratch } from './helpers.ts';

// Runbook 4.2 on the live stack, the lag half: verdicts that really fail (a group nobody
// consumes for: STOP; a member that never commits: STALL; one falling behind: WARN) and the
// real group OK after it drained. Scaling and the consumer profile: consumers-scale.live.test.ts.

const s = scratch('consumers-lag');
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

after(async () => {
  await withAdmin(async (admin) => {
    await admin.deleteGroups(created.groups).catch(() => {});
    if (created.topics.length) await admin.deleteTopics({ topics: created.topics }).catch(() => {});
  });
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
