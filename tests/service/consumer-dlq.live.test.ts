import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Consumer } from 'kafkajs';
import { createSagaConsumer, MAX_MESSAGE_ATTEMPTS } from '../../service/payments/consumer.ts';
import type { Saga } from '../../service/payments/saga.ts';
import { EVENT_TYPES, newEnvelope, type Envelope } from '../../contracts/envelope.ts';
import { TOPICS } from '../../contracts/topics.ts';
import { waitFor } from '../../lib/wait.ts';
import { testKafka } from '../helpers/kafka.ts';
import { ctx } from '../helpers/service.ts';
import { uniqueName } from '../helpers/stack.ts';

// The consumer runner's own contract, on real Kafka: a message whose handler keeps
// throwing is attempted MAX_MESSAGE_ATTEMPTS (3) times, then goes to payment.dlq with the
// error and its original headers, and the partition moves on to the next message. The
// handler here is a stand-in that fails for one chosen event (the runner is under test,
// not the saga, whose real failures are covered in redelivery.live.test.ts).

test('a message that keeps failing is tried 3 times, dead-lettered with its headers, and the partition moves on', { timeout: 180_000 }, async () => {
  const kafka = testKafka(ctx);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const paymentTxId = randomUUID();
  const poison = newEnvelope(EVENT_TYPES.paymentRequested, paymentTxId, 1);
  const next = newEnvelope(EVENT_TYPES.paymentRequested, paymentTxId, 2);
  let attempts = 0;
  const handledNext: string[] = [];
  const saga: Saga = {
    async handle(_topic, e: Envelope) {
      if (e.eventId === poison.eventId) {
        attempts += 1;
        throw new Error(`handler bug on attempt ${attempts}`);
      }
      if (e.eventId === next.eventId) handledNext.push(e.eventId);
      return 'skipped';
    },
  };
  const runner = createSagaConsumer({ kafka, producer, saga, instanceId: 'dlq-runner-test', groupId: uniqueName('dlq-runner'), redeliveryPauseMs: 100 });
  let dlqReader: Consumer | undefined;
  try {
    await runner.start();
    // Same key, so both land on one partition: the second proves the partition moved on.
    await producer.send({
      topic: TOPICS.paymentTry,
      acks: -1,
      messages: [poison, next].map((e) => ({ key: paymentTxId, value: JSON.stringify(e), headers: { 'event-id': e.eventId, 'x-origin': 'consumer-dlq-test' } })),
    });
    await waitFor(() => handledNext.length === 1, { timeoutMs: 120_000, intervalMs: 100, what: 'the message after the poison one to be handled' });
    assert.equal(attempts, MAX_MESSAGE_ATTEMPTS, 'tried exactly 3 times');

    const found: Array<Record<string, string>> = [];
    dlqReader = kafka.consumer({ groupId: uniqueName('dlq-reader') });
    await dlqReader.connect();
    await dlqReader.subscribe({ topic: TOPICS.paymentDlq, fromBeginning: true });
    await dlqReader.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        // The stack's own instances consume payment.try too (and dead-letter this unknown
        // payment on their first attempt); only this runner's record is under test.
        if (headers['event-id'] === poison.eventId && headers['dlq-consumer'] === 'dlq-runner-test') found.push({ ...headers, key: String(message.key), value: String(message.value) });
      },
    });
    await waitFor(() => found.length >= 1, { timeoutMs: 60_000, intervalMs: 200, what: "this runner's dead letter on payment.dlq" });
    const dead = found[0]!;
    assert.equal(found.length, 1, `dead-lettered once, got ${JSON.stringify(found.map((f) => [f['dlq-attempts'], f['dlq-original-offset'], f['dlq-failed-at']]))} after ${attempts} attempts`);
    assert.equal(dead['dlq-attempts'], '3');
    assert.match(dead['dlq-error']!, /handler bug on attempt 3/);
    assert.equal(dead['dlq-original-topic'], TOPICS.paymentTry);
    assert.equal(dead['dlq-consumer'], 'dlq-runner-test');
    assert.equal(dead['x-origin'], 'consumer-dlq-test', 'original headers kept');
    assert.equal(dead.key, paymentTxId);
    assert.deepEqual(JSON.parse(dead.value!), poison, 'original value kept');
  } finally {
    await dlqReader?.disconnect();
    await runner.stop();
    await producer.disconnect();
  }
});
