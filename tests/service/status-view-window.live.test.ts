import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Partitioners } from 'kafkajs';
import { pay, payBody, user } from '../helpers/payment-records.ts';
import { ctx, freshConcert, hold, serviceDb, sql, waitForFinal } from '../helpers/service.ts';
import { testKafka, withKafkaAdmin } from '../helpers/kafka.ts';
import { createStatusView, type StatusView } from '../../service/status-view/status-view.ts';
import { createStatusViewTail, statusViewGroup, type StatusViewTail } from '../../service/status-view/tail.ts';
import { TOPIC_LAYOUT, TOPICS } from '../../contracts/index.ts';
import { waitFor } from '../../lib/wait.ts';

// The poll fallback's view reads a window of the log on each start (docs/service.md, "Poll
// fallback"), not the whole retained log: a view started now knows a payment whose events
// are inside the window and none from before it. Run here against the stack's Kafka with a
// tail of the test's own (a fresh group), as each service instance runs one.

const kafka = testKafka(ctx);
const tails: Array<{ tail: StatusViewTail; group: string }> = [];

after(async () => {
  for (const { tail } of tails) await tail.stop();
  await withKafkaAdmin(kafka, (admin) => admin.deleteGroups(tails.map((t) => t.group))).catch(() => {});
  await (await serviceDb()).end();
});

function startView(lookbackMs?: number): StatusView {
  const view = createStatusView();
  const instanceId = `test-window-${randomUUID().slice(0, 8)}`;
  const tail = createStatusViewTail({ kafka, view, instanceId, retryMs: 500, ...(lookbackMs === undefined ? {} : { lookbackMs }) });
  tails.push({ tail, group: statusViewGroup(instanceId) });
  tail.start();
  return view;
}

/** The partition kafkajs's default partitioner (the relay's producer) puts a message key in. */
const partitionOf = (key: string): number =>
  Partitioners.DefaultPartitioner()({
    topic: TOPICS.paymentSuccess,
    partitionMetadata: Array.from({ length: TOPIC_LAYOUT.partitions }, (_, partitionId) => ({ partitionId, leader: 0, replicas: [], isr: [], partitionErrorCode: 0 })),
    message: { key, value: null },
  });

/** Pays for a fresh seat under `paymentTxId`; returns once its payment.success is in Kafka. */
async function paidAndPublished(paymentTxId: string): Promise<void> {
  const { seatIds } = await freshConcert(1);
  const userId = user();
  const h = await hold(seatIds[0]!, userId);
  const r = await pay(payBody(paymentTxId, h, userId));
  assert.equal(r.status, 202, JSON.stringify(r.body));
  assert.equal((await waitForFinal(paymentTxId)).status, 'SUCCESS');
  await waitFor(async () => (await sql("SELECT 1 FROM outbox WHERE message_key = ? AND topic = 'payment.success' AND published_at IS NOT NULL", [paymentTxId])).length > 0, {
    timeoutMs: 30_000,
    intervalMs: 200,
    what: `payment.success of ${paymentTxId} published`,
  });
}

test('a status view started now reads back its window: it knows a payment made inside it and not one made before it', { timeout: 180_000 }, async () => {
  const before = randomUUID();
  await paidAndPublished(before);
  // Every event of `before` now has a timestamp earlier than the window's start.
  const windowStart = Date.now() + 1;
  await waitFor(async () => Date.now() > windowStart, { timeoutMs: 1000, intervalMs: 5, what: 'the clock to pass the window start' });
  // `inside` in the same partition as `before`, so reading `inside`'s payment.success means
  // having read past where `before`'s is: the view would know `before` had it started earlier.
  let inside = randomUUID();
  while (partitionOf(inside) !== partitionOf(before)) inside = randomUUID();
  await paidAndPublished(inside);

  // A fresh group starts at the end of the log, so knowing `inside` proves the seek back.
  const windowed = startView(Date.now() - windowStart);
  await waitFor(async () => windowed.get(inside)?.status === 'SUCCESS', { timeoutMs: 60_000, intervalMs: 200, what: `the windowed view to know ${inside} as SUCCESS` });
  assert.equal(windowed.get(before), undefined, `the windowed view knows ${before}, made before its window`);

  // The default window (15 min) reaches both.
  const wide = startView();
  await waitFor(async () => wide.get(before)?.status === 'SUCCESS' && wide.get(inside)?.status === 'SUCCESS', {
    timeoutMs: 60_000,
    intervalMs: 200,
    what: 'the default-window view to know both payments as SUCCESS',
  });
});
