import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { CONSUMER_GROUP, READER_GROUP_PREFIX, TOPICS } from '../../contracts/topics.ts';
import { testKafka, withKafkaAdmin } from '../helpers/kafka.ts';
import { parseJson, scratch, ctx } from './helpers.ts';

// Issue 12.7: ticketctl cleans up after itself. Its throwaway readers leave no consumer
// group behind, and `consumers lag --all-groups` judges neither their groups nor the ones
// older versions left (prefixes ticketctl-dlq-reader-, drill-dlq-reader-).

const s = scratch('reader-groups');
const kafka = testKafka(ctx);
const leftovers: string[] = [];
const groupIds = () => withKafkaAdmin(kafka, async (a) => (await a.listGroups()).groups.map((g) => g.groupId));

after(() => withKafkaAdmin(kafka, (a) => a.deleteGroups(leftovers).catch(() => {})));

/** A group with a committed offset and no member: what an old reader left behind. */
async function leaveGroup(groupId: string): Promise<void> {
  leftovers.push(groupId);
  await withKafkaAdmin(kafka, (a) => a.setOffsets({ groupId, topic: TOPICS.paymentDlq, partitions: [{ partition: 0, offset: '0' }] }));
}

test('events dlq list reads the DLQ and leaves no consumer group behind', { timeout: 120_000 }, async () => {
  // At least one dead letter, so the reader has something to read (and a group to make).
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: TOPICS.paymentDlq,
    acks: -1,
    messages: [{ key: `reader-test-${randomUUID()}`, value: '{}', headers: { 'dlq-error': 'planted by reader-groups test', 'dlq-original-topic': TOPICS.paymentTry } }],
  });
  await producer.disconnect();
  const before = new Set(await groupIds());
  const r = await s.run(['events', 'dlq', 'list', '-o', 'json']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.ok(parseJson<{ total: number }>(r).total >= 1, 'the planted dead letter was read');
  const strays = (await groupIds()).filter((g) => g.startsWith(READER_GROUP_PREFIX) && !before.has(g));
  assert.deepEqual(strays, [], 'the reader deleted its group');
});

test('consumers lag --all-groups leaves out throwaway reader groups, old and new', { timeout: 120_000 }, async () => {
  const legacy = [`ticketctl-dlq-reader-${randomUUID()}`, `drill-dlq-reader-${randomUUID()}`, `${READER_GROUP_PREFIX}dlq-${randomUUID()}`];
  for (const g of legacy) await leaveGroup(g);
  const r = await s.run(['consumers', 'lag', '--all-groups', '--window', '0', '-o', 'json']);
  assert.ok(r.exitCode === 0 || r.exitCode === 1, r.stderr);
  const judged = parseJson<{ groups: Array<{ group: string }> }>(r).groups.map((g) => g.group);
  assert.ok(judged.includes(CONSUMER_GROUP), `the service's group is judged: ${judged.join(', ')}`);
  for (const g of legacy) assert.ok(!judged.includes(g), `${g} is not judged`);
});
