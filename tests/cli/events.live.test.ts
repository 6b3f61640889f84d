import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { waitFor } from '../../lib/wait.ts';
import { EVENT_TYPES, newEnvelope } from '../../contracts/envelope.ts';
import { TOPICS } from '../../contracts/topics.ts';
import { requestHash } from '../../service/payments/transactions.ts';
import { testKafka } from '../helpers/kafka.ts';
import { anyInstance, call, ctx, freshConcert, gateway, hold, sql, waitForFinal, withGatewayKnobs } from '../helpers/service.ts';
import { parseJson, scratch } from './helpers.ts';

// Runbook 4.3.2 on the real stack. Reprocess: payments fail for real (the gateway declines
// every card), one seat is taken by someone else meanwhile; after the fix, reprocessing
// revives the others exactly once (one live charge each in the gateway's ledger, one
// success each in the event store) and skips the taken seat; a second run has nothing to do.

const s = scratch('events');
const PRICE = 31_000;

async function pay(seatId: number): Promise<{ paymentTxId: string; userId: string; holdId: string }> {
  const userId = `rep-${randomUUID().slice(0, 8)}`;
  const h = await hold(seatId, userId);
  const paymentTxId = randomUUID();
  const r = await call('POST', `${anyInstance()}/payments`, { paymentTxId, holdId: h.holdId, holdSecret: h.holdSecret, userId, amount: PRICE });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  return { paymentTxId, userId, holdId: h.holdId };
}

const statusOf = async (id: string) => (await sql('SELECT status FROM payment_transactions WHERE payment_tx_id = ?', [id]))[0]!.status;

test('events reprocess: failed payments revived once after the fix; a seat taken meanwhile is skipped; rerun does nothing', { timeout: 300_000 }, async () => {
  const since = new Date(Date.now() - 2000).toISOString();
  const concert = await freshConcert(4, PRICE);
  const payments = await withGatewayKnobs({ declineRate: 1 }, async () => {
    const started = await Promise.all(concert.seatIds.map((seat) => pay(seat)));
    for (const p of started) assert.equal((await waitForFinal(p.paymentTxId)).status, 'FAILED');
    return started;
  });
  // The last seat is sold to someone else while its payment lies failed.
  const taker = await hold(concert.seatIds[3]!, `other-${randomUUID().slice(0, 8)}`);
  const revivable = payments.slice(0, 3).map((p) => p.paymentTxId);
  const taken = payments[3]!.paymentTxId;
  const window = ['--since', since];

  const dry = await s.run(['events', 'reprocess', ...window, '--dry-run', '-o', 'json']);
  assert.equal(dry.exitCode, 0, dry.stderr);
  const plan = parseJson(dry).plan.data;
  assert.deepEqual(Object.keys(plan), ['window', 'statuses', 'reprocess', 'skipped', 'timeoutSeconds']);
  assert.deepEqual(plan.reprocess.map((r: any) => r.paymentTxId).sort(), [...revivable].sort());
  assert.deepEqual(plan.reprocess.map((r: any) => r.chargeKey).sort(), revivable.map((id) => `${id}:reprocess-1`).sort());
  const skip = plan.skipped.find((x: any) => x.paymentTxId === taken);
  assert.match(skip.reason, new RegExp(`taken by hold ${taker.holdId}`));
  for (const id of revivable) assert.equal(await statusOf(id), 'FAILED', 'dry run changes nothing');

  const refused = await s.run(['events', 'reprocess', ...window]);
  assert.equal(refused.exitCode, 2, refused.stderr);
  assert.equal(await statusOf(revivable[0]!), 'FAILED');

  const applied = await s.run(['events', 'reprocess', ...window, '--yes', '--timeout', '150', '-o', 'json'], {}, 200_000);
  assert.equal(applied.exitCode, 0, applied.stdout + applied.stderr);
  const outcome = parseJson(applied).outcome;
  assert.equal(outcome.allFinal, true);
  assert.deepEqual(
    outcome.payments.filter((p: any) => revivable.includes(p.paymentTxId)).map((p: any) => p.status),
    ['SUCCESS', 'SUCCESS', 'SUCCESS'],
  );
  assert.equal(await statusOf(taken), 'FAILED', "the taken seat's payment stays failed");

  for (const id of revivable) {
    const charges = await gateway.getCharges(id);
    const live = charges.filter((c) => c.status === 'CHARGED' && !c.refund);
    assert.equal(live.length, 1, `exactly one live charge for ${id}: ${JSON.stringify(charges)}`);
    assert.equal(live[0]!.idempotencyKey, `${id}:reprocess-1`);
    const events = (await sql('SELECT event_type FROM event_store WHERE aggregate_id = ? ORDER BY version', [id])).map((e) => e.event_type);
    assert.equal(events.filter((t) => t === 'PaymentSucceeded').length, 1, events.join(','));
    assert.equal(events.filter((t) => t === 'PaymentReprocessRequested').length, 1, events.join(','));
    const [seat] = await sql('SELECT s.status FROM seats s JOIN payment_transactions p ON p.seat_id = s.id WHERE p.payment_tx_id = ?', [id]);
    assert.equal(seat!.status, 'SOLD');
  }
  assert.equal(s.audit().at(-1)?.result, 'ok');

  const again = await s.run(['events', 'reprocess', ...window, '--yes', '-o', 'json']);
  assert.equal(again.exitCode, 0, again.stderr);
  assert.equal(parseJson(again).result, 'noop');
});

test('events reprocess: bad flags exit 2 with a hint', { timeout: 60_000 }, async () => {
  for (const args of [[], ['--since', 'soon'], ['--since', '1h', '--status', 'SUCCESS'], ['--payment', 'not-a-uuid'], ['--since', '1h', '--timeout', '0'], ['--since', '1h', '--bogus']]) {
    const r = await s.run(['events', 'reprocess', ...args, '--dry-run']);
    assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
  }
});

// DLQ: a malformed message and an event for a payment that does not exist yet, both
// produced to payment.try, are dead-lettered by the service's own consumers. List and
// inspect them; after the fix (the payment row exists) replay the second and see the saga
// complete it; a second replay does nothing, and the malformed one is never replayed.

async function dlqList(args: string[]): Promise<any> {
  const r = await s.run(['events', 'dlq', 'list', ...args, '-o', 'json']);
  assert.equal(r.exitCode, 0, r.stderr);
  return parseJson(r);
}

test('events dlq: poison payment.try, list and inspect the dead letters, replay after the fix, second replay does nothing', { timeout: 300_000 }, async () => {
  const kafka = testKafka(ctx);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const poisonKey = `poison-${randomUUID()}`;
  const concert = await freshConcert(1, PRICE);
  const userId = `dlq-${randomUUID().slice(0, 8)}`;
  const h = await hold(concert.seatIds[0]!, userId);
  const paymentTxId = randomUUID();
  const early = newEnvelope(EVENT_TYPES.paymentRequested, paymentTxId, 1, { holdId: h.holdId, seatId: h.seatId, userId, amount: PRICE });
  try {
    await producer.send({
      topic: TOPICS.paymentTry,
      acks: -1,
      messages: [
        { key: poisonKey, value: '{"eventId": oops', headers: { 'x-test': 'events-dlq' } },
        { key: paymentTxId, value: JSON.stringify(early), headers: { 'event-id': early.eventId, 'x-test': 'events-dlq' } },
      ],
    });
  } finally {
    await producer.disconnect();
  }

  const letter = await waitFor(async () => (await dlqList(['--key', paymentTxId])).messages[0], { timeoutMs: 60_000, intervalMs: 500, what: 'the early event in the DLQ' });
  const poison = (await dlqList(['--key', poisonKey, '--error', 'UNPARSEABLE', '--topic', TOPICS.paymentTry])).messages;
  assert.equal(poison.length, 1);
  assert.equal(poison[0].parseable, false);
  assert.deepEqual(Object.keys(letter), [
    'id',
    'partition',
    'offset',
    'timestamp',
    'key',
    'originalTopic',
    'originalPartition',
    'originalOffset',
    'error',
    'attempts',
    'failedAt',
    'consumer',
    'eventId',
    'eventType',
    'paymentTxId',
    'parseable',
    'parseError',
    'replayOf',
    'replayedAt',
  ]);
  assert.deepEqual([letter.originalTopic, letter.eventId, letter.paymentTxId, letter.parseable, letter.replayedAt], [TOPICS.paymentTry, early.eventId, paymentTxId, true, null]);
  assert.match(letter.error, /does not exist/);
  assert.equal((await dlqList(['--key', paymentTxId, '--topic', TOPICS.paymentRetry])).total, 0, 'topic filter');

  const inspected = await s.run(['events', 'dlq', 'inspect', letter.id, '-o', 'json']);
  assert.equal(inspected.exitCode, 0, inspected.stderr);
  const full = parseJson(inspected);
  assert.equal(full.headers['dlq-original-topic'], TOPICS.paymentTry);
  assert.equal(full.headers['x-test'], 'events-dlq');
  assert.deepEqual(full.payload, early);
  const table = await s.run(['events', 'dlq', 'inspect', letter.id, '-o', 'table']);
  assert.match(table.stdout, /payload:\n {4}\{\n {6}"eventId"/);

  // The fix: the payment the event names now exists (PENDING, as intake would have written it).
  await sql("INSERT INTO payment_transactions (payment_tx_id, user_id, seat_id, hold_id, amount, status, request_hash) VALUES (?, ?, ?, ?, ?, 'PENDING', ?)", [
    paymentTxId,
    userId,
    h.seatId,
    h.holdId,
    PRICE,
    requestHash({ paymentTxId, holdId: h.holdId, userId, amount: PRICE }),
  ]);
  const dry = await s.run(['events', 'dlq', 'replay', '--key', paymentTxId, '--dry-run', '-o', 'json']);
  assert.equal(dry.exitCode, 0, dry.stderr);
  assert.deepEqual(
    parseJson(dry).plan.data.replay.map((r: any) => [r.id, r.originalTopic, r.eventId]),
    [[letter.id, TOPICS.paymentTry, early.eventId]],
  );
  assert.equal((await sql('SELECT status FROM payment_transactions WHERE payment_tx_id = ?', [paymentTxId]))[0]!.status, 'PENDING', 'dry run sends nothing');
  const refused = await s.run(['events', 'dlq', 'replay', '--key', paymentTxId]);
  assert.equal(refused.exitCode, 2, refused.stderr);

  const replayed = await s.run(['events', 'dlq', 'replay', '--key', paymentTxId, '--yes', '-o', 'json']);
  assert.equal(replayed.exitCode, 0, replayed.stderr);
  assert.deepEqual(parseJson(replayed).outcome.replayed, [{ id: letter.id, topic: TOPICS.paymentTry }]);
  assert.equal((await waitForFinal(paymentTxId)).status, 'SUCCESS', 'the replayed event was processed');
  const charges = await gateway.getCharges(paymentTxId);
  assert.deepEqual(
    charges.map((c) => [c.idempotencyKey, c.status]),
    [[paymentTxId, 'CHARGED']],
  );

  const again = await s.run(['events', 'dlq', 'replay', '--key', paymentTxId, '--yes', '-o', 'json']);
  assert.equal(again.exitCode, 0, again.stderr);
  assert.equal(parseJson(again).result, 'noop');
  assert.match(parseJson(again).plan.data.skipped[0].reason, /already replayed/);
  assert.notEqual((await dlqList(['--key', paymentTxId])).messages[0].replayedAt, null);
  const poisonReplay = await s.run(['events', 'dlq', 'replay', '--key', poisonKey, '--yes', '-o', 'json']);
  assert.equal(parseJson(poisonReplay).result, 'noop');
  assert.match(parseJson(poisonReplay).plan.data.skipped[0].reason, /does not parse/);
});

test('events dlq: bad flags and positions exit 2', { timeout: 60_000 }, async () => {
  for (const args of [['list', '--limit', '0'], ['list', '--since', 'nope'], ['list', '--error', ''], ['inspect', 'abc'], ['inspect'], ['replay', '--bogus']]) {
    const r = await s.run(['events', 'dlq', ...args]);
    assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
  }
});
