import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Partitioners, type Admin, type IHeaders, type KafkaMessage, type Producer } from 'kafkajs';
import type { RowDataPacket } from 'mysql2/promise';
import { call, ctx, freshConcert, gateway, gatewayDb, hold, instanceUrl, serviceDb, sql, waitForFinal, adminCall } from '../helpers/service.ts';
import { testKafka } from '../helpers/kafka.ts';
import { uniqueName } from '../helpers/stack.ts';
import { CONSUMER_GROUP, TOPICS } from '../../contracts/topics.ts';
import { DEFAULT_SERVICE_INSTANCES } from '../../contracts/topology.ts';
import { waitFor } from '../../lib/wait.ts';

// At-least-once delivery means any saga event may arrive twice; a handler must then have
// one effect. The duplicates here are the very messages the relay published (payload, key
// and headers from the outbox row), produced again. "Processed" is read from Kafka itself:
// the service's consumer group has committed past the duplicate's offset, which it only
// does once the handler returned (eachBatch resolves an offset after the handler, never
// before). Unparseable or unprocessable messages must land on payment.dlq with the reason
// and their headers, and the consumer must keep going.

const PRICE = 50_000;
const kafka = testKafka(ctx);
let producer: Producer;
let admin: Admin;

const user = () => `u-${randomUUID().slice(0, 8)}`;

// The failure scenario below leaves failures in the breakers' windows: every test starts clean.
const resetBreakers = () => Promise.all(Array.from({ length: DEFAULT_SERVICE_INSTANCES }, (_, i) => adminCall('POST', i + 1, '/admin/breaker', { action: 'reset' })));

before(async () => {
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  admin = kafka.admin();
  await Promise.all([producer.connect(), admin.connect()]);
  await gateway.setKnobs({ latencyMs: 0, errorRate: 0, declineRate: 0, timeoutAfterChargeRate: 0 });
  await resetBreakers();
});
afterEach(resetBreakers);

after(async () => {
  await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
  await (await serviceDb()).end();
});

interface Produced {
  partition: number;
  offset: string;
}

async function send(topic: string, key: string | null, value: string, headers: IHeaders): Promise<Produced> {
  const [meta] = await producer.send({ topic, acks: -1, messages: [{ key, value, headers }] });
  return { partition: meta!.partition, offset: meta!.baseOffset! };
}

/** Produces the outbox row's message again: same topic, key, payload and headers. */
async function republish(paymentTxId: string, topic: string): Promise<Produced> {
  const rows = await sql('SELECT topic, message_key, payload, headers FROM outbox WHERE message_key = ? AND topic = ? AND published_at IS NOT NULL ORDER BY id', [paymentTxId, topic]);
  assert.equal(rows.length, 1, `one published ${topic} outbox row for ${paymentTxId}`);
  const r = rows[0]!;
  return send(r.topic, r.message_key, r.payload, JSON.parse(r.headers));
}

/** Waits until the service's consumer group committed an offset past `p` on `topic`. */
async function waitConsumedPast(topic: string, p: Produced): Promise<void> {
  await waitFor(
    async () => {
      const [t] = await admin.fetchOffsets({ groupId: CONSUMER_GROUP, topics: [topic] });
      const committed = t?.partitions.find((x) => x.partition === p.partition)?.offset;
      return committed !== undefined && BigInt(committed) > BigInt(p.offset);
    },
    { timeoutMs: 60_000, intervalMs: 200, what: `${CONSUMER_GROUP} to commit past ${topic}[${p.partition}]@${p.offset}` },
  );
}

const dlqEnd = async () => (await admin.fetchTopicOffsets(TOPICS.paymentDlq)).reduce((n, p) => n + BigInt(p.high), 0n);

/** Everything a duplicate must leave unchanged, read from the systems of record. */
async function snapshot(paymentTxIds: string[]) {
  const payments = await sql('SELECT payment_tx_id, status, attempts, failure_reason, gateway_charge_id FROM payment_transactions WHERE payment_tx_id IN (?) ORDER BY payment_tx_id', [paymentTxIds]);
  const events = await sql('SELECT aggregate_id, version, event_type FROM event_store WHERE aggregate_id IN (?) ORDER BY aggregate_id, version', [paymentTxIds]);
  const outbox = await sql('SELECT event_id, topic FROM outbox WHERE message_key IN (?) ORDER BY id', [paymentTxIds]);
  const db = gatewayDb();
  try {
    const [charges] = await db.query<RowDataPacket[]>('SELECT id, payment_tx_id, status FROM gateway_charges WHERE payment_tx_id IN (?) ORDER BY id', [paymentTxIds]);
    const [refunds] = await db.query<RowDataPacket[]>('SELECT r.id, r.charge_id FROM gateway_refunds r JOIN gateway_charges c ON c.id = r.charge_id WHERE c.payment_tx_id IN (?) ORDER BY r.id', [paymentTxIds]);
    return { payments, events, outbox, charges, refunds };
  } finally {
    await db.end();
  }
}

async function seat(seatId: number): Promise<{ status: string; holdId: string | null }> {
  const [r] = await sql('SELECT status, hold_id FROM seats WHERE id = ?', [seatId]);
  return { status: r!.status, holdId: r!.hold_id };
}

async function pay(seatId: number, userId = user(), paymentTxId: string = randomUUID()): Promise<{ paymentTxId: string; holdId: string; holdSecret: string; userId: string }> {
  const h = await hold(seatId, userId);
  const r = await call('POST', `${instanceUrl(1 + Math.floor(Math.random() * DEFAULT_SERVICE_INSTANCES))}/payments`, { paymentTxId, holdId: h.holdId, holdSecret: h.holdSecret, userId, amount: PRICE });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  return { paymentTxId, holdId: h.holdId, holdSecret: h.holdSecret, userId };
}

/** Re-publishes the payment's `topic` event, waits until it was consumed, and checks it changed nothing. */
async function assertDuplicateHasNoEffect(paymentTxIds: string[], republishFor: string, topic: string): Promise<void> {
  const before = await snapshot(paymentTxIds);
  const processedBefore = await sql('SELECT event_id, handler FROM processed_events WHERE event_id IN (?) ORDER BY event_id, handler', [before.outbox.map((o) => o.event_id)]);
  const dlqBefore = await dlqEnd();

  const dup = await republish(republishFor, topic);
  await waitConsumedPast(topic, dup);

  assert.deepEqual(await snapshot(paymentTxIds), before, `the duplicate ${topic} event changed nothing: payments, event store, outbox, gateway ledger`);
  assert.deepEqual(await sql('SELECT event_id, handler FROM processed_events WHERE event_id IN (?) ORDER BY event_id, handler', [before.outbox.map((o) => o.event_id)]), processedBefore);
  assert.equal(await dlqEnd(), dlqBefore, 'a duplicate is skipped, not dead-lettered');
}

describe('redelivered events have one effect', () => {
  test('a duplicate payment.try of a SUCCESS payment: one charge, events unchanged, still SUCCESS', { timeout: 300_000 }, async () => {
    const { seatIds } = await freshConcert(1);
    const p = await pay(seatIds[0]!);
    assert.equal((await waitForFinal(p.paymentTxId)).status, 'SUCCESS');
    // The original payment.try was processed (its id recorded with the effect).
    const [tryRow] = await sql("SELECT event_id FROM outbox WHERE message_key = ? AND topic = 'payment.try'", [p.paymentTxId]);
    assert.equal((await sql('SELECT COUNT(*) AS n FROM processed_events WHERE event_id = ?', [tryRow!.event_id]))[0]!.n, 1);

    await assertDuplicateHasNoEffect([p.paymentTxId], p.paymentTxId, TOPICS.paymentTry);

    const after = await snapshot([p.paymentTxId]);
    assert.equal(after.payments[0]!.status, 'SUCCESS');
    assert.deepEqual(
      after.charges.map((c) => c.status),
      ['CHARGED'],
      'exactly one charge',
    );
    assert.deepEqual(await seat(seatIds[0]!), { status: 'SOLD', holdId: p.holdId });
  });

  test("a duplicate payment.failure of a FAILED payment whose charge was refunded: still one refund, the seat's next owner untouched", { timeout: 300_000 }, async () => {
    const { seatIds } = await freshConcert(1);
    const seatId = seatIds[0]!;
    const knobs = await gateway.getKnobs();
    let p;
    try {
      // Charged, but the answer is lost (the gateway answers after 30 s, the service gives up at 3 s) ...
      await gateway.setKnobs({ timeoutAfterChargeRate: 1 });
      p = await pay(seatId);
      const paymentTxId = p.paymentTxId;
      await waitFor(async () => (await gateway.getCharges(paymentTxId)).some((c) => c.status === 'CHARGED'), { timeoutMs: 30_000, intervalMs: 100, what: `the first charge of ${paymentTxId}` });
      // ... then an outage until the retries run out: the saga gives up on a charged payment.
      await gateway.setKnobs({ errorRate: 1 });
      await waitFor(async () => (await sql("SELECT 1 FROM outbox WHERE message_key = ? AND topic = 'payment.failure'", [paymentTxId])).length === 1, {
        timeoutMs: 60_000,
        intervalMs: 200,
        what: `payment.failure for ${paymentTxId}`,
      });
    } finally {
      await gateway.setKnobs(knobs); // the gateway is back: compensation can refund
    }
    const final = await waitForFinal(p.paymentTxId);
    assert.equal(final.status, 'FAILED');
    // Compensation refunds through the breaker, which the outage may have opened: then the
    // refund is left REQUESTED and the reconciler makes it (within its 60 s bound).
    const paymentTxId = p.paymentTxId;
    const compensated = await waitFor(
      async () => {
        const s = await snapshot([paymentTxId]);
        return s.refunds.length > 0 ? s : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500, what: `the refund of ${paymentTxId}` },
    );
    assert.equal(compensated.charges.length, 1);
    assert.equal(compensated.charges[0]!.status, 'CHARGED');
    assert.deepEqual(
      compensated.refunds.map((r) => Number(r.charge_id)),
      [Number(compensated.charges[0]!.id)],
      'compensation refunded the charge once',
    );
    assert.deepEqual(await seat(seatId), { status: 'AVAILABLE', holdId: null });

    // Someone else holds the seat now; the duplicate compensation must not release it.
    const next = await hold(seatId, user());
    await assertDuplicateHasNoEffect([p.paymentTxId], p.paymentTxId, TOPICS.paymentFailure);
    assert.deepEqual(await seat(seatId), { status: 'HELD', holdId: next.holdId });
    assert.equal((await sql('SELECT status FROM holds WHERE id = ?', [next.holdId]))[0]!.status, 'ACTIVE');
  });

  test("a duplicate payment.cancel: one refund, the seat's next buyer keeps it", { timeout: 300_000 }, async () => {
    const { seatIds } = await freshConcert(1);
    const seatId = seatIds[0]!;
    const first = await pay(seatId);
    assert.equal((await waitForFinal(first.paymentTxId)).status, 'SUCCESS');
    const c = await call('POST', `${instanceUrl(2)}/payments/${first.paymentTxId}/cancel`, { userId: first.userId, holdSecret: first.holdSecret });
    assert.equal(c.status, 202, JSON.stringify(c.body));
    assert.equal((await waitForFinal(first.paymentTxId, 90_000, (s) => s === 'CANCELLED')).status, 'CANCELLED');

    const second = await pay(seatId);
    assert.equal((await waitForFinal(second.paymentTxId)).status, 'SUCCESS');

    await assertDuplicateHasNoEffect([first.paymentTxId, second.paymentTxId], first.paymentTxId, TOPICS.paymentCancel);

    const after = await snapshot([first.paymentTxId, second.paymentTxId]);
    const firstCharge = after.charges.find((x) => x.payment_tx_id === first.paymentTxId)!;
    const secondCharge = after.charges.find((x) => x.payment_tx_id === second.paymentTxId)!;
    assert.equal(after.charges.length, 2);
    assert.deepEqual(
      after.refunds.map((r) => Number(r.charge_id)),
      [Number(firstCharge.id)],
      'one refund, for the cancelled payment only',
    );
    assert.ok(secondCharge.status === 'CHARGED');
    assert.deepEqual(
      after.payments.map((x) => [x.payment_tx_id, x.status]).sort(),
      [
        [first.paymentTxId, 'CANCELLED'],
        [second.paymentTxId, 'SUCCESS'],
      ].sort(),
    );
    assert.deepEqual(await seat(seatId), { status: 'SOLD', holdId: second.holdId });
  });
});

describe('dead letters', () => {
  test('unparseable and unprocessable payment.try messages go to payment.dlq with the reason and their headers; the consumer keeps going', { timeout: 300_000 }, async () => {
    const dlqStart = await admin.fetchTopicOffsets(TOPICS.paymentDlq);
    // Same key as the payment made afterwards: same partition, so that payment proves this
    // very partition kept flowing past the bad messages.
    const paymentTxId = randomUUID();
    const runId = randomUUID();
    const envelope = (over: Record<string, unknown>) => JSON.stringify({ eventId: randomUUID(), type: 'PaymentRequested', paymentTxId, attempt: 1, occurredAt: new Date().toISOString(), data: {}, ...over });
    const bad = [
      { name: 'not JSON', value: '{"eventId": oops, this is not JSON', error: /unparseable: value is not JSON/ },
      { name: 'bad envelope', value: envelope({ eventId: 'not-a-uuid' }), error: /unparseable: eventId must be a UUID/ },
      { name: 'unknown payment', value: envelope({ paymentTxId: randomUUID() }), error: /does not exist/ },
    ];
    const sent: Produced[] = [];
    for (const [i, b] of bad.entries()) sent.push(await send(TOPICS.paymentTry, paymentTxId, b.value, { 'test-run': runId, 'trace-id': `trace-${i}` }));

    const seen: Array<KafkaMessage & { partition: number }> = [];
    const consumer = kafka.consumer({ groupId: uniqueName('dlq-check'), sessionTimeout: 10_000, heartbeatInterval: 1000 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: TOPICS.paymentDlq, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          if (message.headers?.['test-run']?.toString() === runId) seen.push({ ...message, partition });
        },
      });
      // Only skips history: a fetch issued before the seek may still deliver older messages.
      for (const p of dlqStart) consumer.seek({ topic: TOPICS.paymentDlq, partition: p.partition, offset: p.offset });
      await waitFor(() => seen.length >= bad.length, { timeoutMs: 60_000, intervalMs: 200, what: `${bad.length} dead letters of run ${runId} (got ${seen.length})` });
    } finally {
      await consumer.disconnect();
    }

    const start = new Map(dlqStart.map((p) => [p.partition, BigInt(p.offset)]));
    // The dead letters of this run were written after the test began, past the offsets taken then.
    for (const m of seen) assert.ok(BigInt(m.offset) >= start.get(m.partition)!, 'dead-lettered during this test');
    assert.equal(seen.length, bad.length, 'each bad message dead-lettered once');
    for (const [i, b] of bad.entries()) {
      const m = seen.find((x) => x.headers?.['trace-id']?.toString() === `trace-${i}`);
      assert.ok(m, `${b.name}: on payment.dlq`);
      const h = (k: string) => m.headers?.[k]?.toString();
      assert.match(h('dlq-error') ?? '', b.error, `${b.name}: dlq-error`);
      assert.equal(h('dlq-original-topic'), TOPICS.paymentTry);
      assert.equal(h('dlq-original-partition'), String(sent[i]!.partition));
      assert.equal(h('dlq-original-offset'), sent[i]!.offset);
      assert.equal(h('test-run'), runId, 'original headers kept');
      assert.equal(m.key?.toString(), paymentTxId, 'original key kept');
      assert.equal(m.value?.toString(), b.value, 'original value kept');
    }
    await waitConsumedPast(TOPICS.paymentTry, sent.at(-1)!);

    // The consumer kept going: a payment on the same partition succeeds.
    const { seatIds } = await freshConcert(1);
    await pay(seatIds[0]!, user(), paymentTxId);
    assert.equal((await waitForFinal(paymentTxId)).status, 'SUCCESS');
    const after = await snapshot([paymentTxId]);
    assert.deepEqual(
      after.charges.map((c) => c.status),
      ['CHARGED'],
    );
  });
});
