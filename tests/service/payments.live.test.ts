import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { assertVersionsInOrder, events, holdStatus, ledgerRows, pay, payBody, paymentRow, PRICE, seatRow, SLOW_GATEWAY_MS, user } from '../helpers/payment-records.ts';
import { anyInstance, call, freshConcert, gateway, hold, instanceUrl, serviceDb, sql, waitForFinal, withGatewayKnobs, adminCall } from '../helpers/service.ts';
import { DEFAULT_SERVICE_INSTANCES } from '../../contracts/topology.ts';

// The payment API against the running instances (pay, poll, repeat; cancelling is in
// cancel.live.test.ts). Every
// check reads a system of record: the service database (payment row, seat, hold, outbox,
// event store) and the gateway's ledger (charges, refunds), never the service's own answer
// alone.

before(async () => {
  // Tests below rely on the default gateway behaviour: a clean slate even after an aborted run.
  await gateway.setKnobs({ latencyMs: 0, errorRate: 0, declineRate: 0, timeoutAfterChargeRate: 0 });
  for (let n = 1; n <= DEFAULT_SERVICE_INSTANCES; n++) await adminCall('POST', n, '/admin/breaker', { action: 'reset' });
});

after(async () => {
  await (await serviceDb()).end();
});

describe('payments', () => {
  test('hold -> pay 202 -> poll -> SUCCESS: seat SOLD, hold PAID, one charge, versioned events', { timeout: 300_000 }, async () => {
    const { seatIds } = await freshConcert(1);
    const userId = user();
    const h = await hold(seatIds[0]!, userId);
    const paymentTxId = randomUUID();

    const r = await pay(payBody(paymentTxId, h, userId), instanceUrl(1));
    assert.equal(r.status, 202, JSON.stringify(r.body));
    assert.equal(r.body.paymentTxId, paymentTxId);
    assert.equal(r.body.status, 'PENDING');
    assert.ok(Number.isInteger(r.body.retryAfter) && r.body.retryAfter > 0, `retryAfter ${r.body.retryAfter}`);
    assert.equal(typeof r.body.message, 'string');
    assert.ok(r.body.message.length > 0);
    assert.equal(r.body.pollUrl, `/payments/${paymentTxId}`);
    assert.equal(r.headers.get('location'), r.body.pollUrl);

    // The payment row and its payment.try event were committed together (the 202 came after).
    const row = await paymentRow(paymentTxId);
    assert.ok(row, 'payment row exists once 202 is answered');
    assert.equal(row.hold_id, h.holdId);
    assert.equal(Number(row.amount), PRICE);
    const outbox = await sql("SELECT message_key, payload FROM outbox WHERE message_key = ? AND topic = 'payment.try'", [paymentTxId]);
    assert.equal(outbox.length, 1, 'exactly one payment.try outbox row');
    assert.equal(JSON.parse(outbox[0]!.payload).type, 'PaymentRequested');

    const final = await waitForFinal(paymentTxId);
    assert.equal(final.status, 'SUCCESS');
    assert.equal(final.attempts, 1);
    assert.equal(final.failureReason, null);

    const polled = await call('GET', `${instanceUrl(2)}${r.body.pollUrl}`);
    assert.equal(polled.status, 200);
    assert.equal(polled.body.status, 'SUCCESS', 'every instance answers the poll from the database');

    assert.deepEqual(await seatRow(h.seatId), { status: 'SOLD', holdId: h.holdId });
    assert.equal(await holdStatus(h.holdId), 'PAID');

    const { charges, refunds } = await ledgerRows(paymentTxId);
    assert.equal(charges.length, 1, 'exactly one charge in the gateway ledger');
    assert.equal(charges[0]!.status, 'CHARGED');
    assert.equal(Number(charges[0]!.amount), PRICE);
    assert.equal(refunds.length, 0);
    assert.equal(Number((await paymentRow(paymentTxId))!.gateway_charge_id), Number(charges[0]!.id));

    const list = await events(paymentTxId);
    assertVersionsInOrder(list, paymentTxId);
    assert.equal(list[0]!.type, 'PaymentRequested');
    assert.equal(list.at(-1)!.type, 'PaymentSucceeded');
    assert.equal(list.at(-1)!.data.chargeId, Number(charges[0]!.id));

    // UNIQUE (aggregate, version): a second writer of an existing version fails loudly.
    await assert.rejects(
      sql("INSERT INTO event_store (aggregate_id, version, event_type, event_data) VALUES (?, 1, 'PaymentRequested', '{}')", [paymentTxId]),
      (err: { code?: string }) => err.code === 'ER_DUP_ENTRY',
    );
    assert.equal((await events(paymentTxId)).length, list.length);
  });

  test('a repeated paymentTxId: same tx while PENDING, ALREADY_COMPLETED after SUCCESS, 409 for another body', { timeout: 300_000 }, async () => {
    const { seatIds } = await freshConcert(2);
    const userId = user();
    const h = await hold(seatIds[0]!, userId);
    const other = await hold(seatIds[1]!, userId);
    const paymentTxId = randomUUID();
    const body = payBody(paymentTxId, h, userId);

    await withGatewayKnobs({ latencyMs: SLOW_GATEWAY_MS }, async () => {
      const first = await pay(body, instanceUrl(1));
      assert.equal(first.status, 202);
      const again = await pay(body, instanceUrl(2));
      assert.equal(again.status, 202, `a repeat while PENDING is accepted again: ${JSON.stringify(again.body)}`);
      assert.deepEqual(again.body, first.body, 'the same transaction back');
      assert.equal(again.headers.get('location'), `/payments/${paymentTxId}`);

      const poll = await call('GET', `${instanceUrl(3)}/payments/${paymentTxId}`);
      assert.equal(poll.status, 200);
      assert.equal(poll.body.status, 'PENDING');
      assert.ok(poll.body.retryAfter > 0);
      assert.equal(typeof poll.body.message, 'string');
      assert.equal((await waitForFinal(paymentTxId)).status, 'SUCCESS');
    });

    const done = await pay(body, instanceUrl(3));
    assert.equal(done.status, 200);
    assert.equal(done.body.status, 'ALREADY_COMPLETED');
    assert.equal(done.body.paymentTxId, paymentTxId);
    assert.equal(typeof done.body.redirectUrl, 'string');
    assert.ok(done.body.redirectUrl.includes(paymentTxId), done.body.redirectUrl);

    for (const changed of [payBody(paymentTxId, h, userId, PRICE + 1), payBody(paymentTxId, other, userId)]) {
      const r = await pay(changed);
      assert.equal(r.status, 409, JSON.stringify(r.body));
      assert.equal(r.body.error.code, 'IDEMPOTENCY_CONFLICT');
      assert.equal(r.body.error.field, 'paymentTxId');
      assert.ok(r.body.error.message.includes(paymentTxId), r.body.error.message);
    }

    assert.equal((await sql('SELECT COUNT(*) AS n FROM payment_transactions WHERE payment_tx_id = ?', [paymentTxId]))[0]!.n, 1);
    assert.equal((await ledgerRows(paymentTxId)).charges.length, 1, 'repeats never charge again');
    assert.equal(await holdStatus(other.holdId), 'ACTIVE', 'the conflicting request touched nothing');
    assert.deepEqual(await seatRow(other.seatId), { status: 'HELD', holdId: other.holdId });
  });

  test('20 concurrent identical requests with one new paymentTxId: one row, one event, one charge', { timeout: 300_000 }, async () => {
    const { seatIds } = await freshConcert(1);
    const userId = user();
    const h = await hold(seatIds[0]!, userId);
    const paymentTxId = randomUUID();
    const body = payBody(paymentTxId, h, userId);

    // The slow gateway keeps the payment PENDING while all 20 are answered.
    await withGatewayKnobs({ latencyMs: SLOW_GATEWAY_MS }, async () => {
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => pay(body, anyInstance(i))));
      const statuses = answers.map((a) => a.status);
      assert.deepEqual(
        statuses,
        statuses.map(() => 202),
        `every racer is accepted: ${JSON.stringify(answers.filter((a) => a.status !== 202).map((a) => a.body))}`,
      );
      for (const a of answers) assert.equal(a.body.paymentTxId, paymentTxId);
      assert.equal((await waitForFinal(paymentTxId)).status, 'SUCCESS');
    });
    assert.equal((await sql('SELECT COUNT(*) AS n FROM payment_transactions WHERE payment_tx_id = ?', [paymentTxId]))[0]!.n, 1);
    assert.equal((await sql("SELECT COUNT(*) AS n FROM outbox WHERE message_key = ? AND topic = 'payment.try'", [paymentTxId]))[0]!.n, 1);
    const list = await events(paymentTxId);
    assertVersionsInOrder(list, paymentTxId);
    assert.equal(list.filter((e) => e.type === 'PaymentRequested').length, 1);
    const { charges } = await ledgerRows(paymentTxId);
    assert.equal(charges.length, 1, 'exactly one charge');
    assert.equal(charges[0]!.status, 'CHARGED');
  });

  test('a second payment for the same hold with a new paymentTxId is a 409, pending or paid', { timeout: 300_000 }, async () => {
    const { seatIds } = await freshConcert(1);
    const userId = user();
    const h = await hold(seatIds[0]!, userId);
    const paymentTxId = randomUUID();

    await withGatewayKnobs({ latencyMs: SLOW_GATEWAY_MS }, async () => {
      assert.equal((await pay(payBody(paymentTxId, h, userId))).status, 202);
      const second = await pay(payBody(randomUUID(), h, userId));
      assert.equal(second.status, 409, JSON.stringify(second.body));
      assert.equal(second.body.error.code, 'HOLD_ALREADY_PAID');
      assert.equal((await waitForFinal(paymentTxId)).status, 'SUCCESS');
    });

    const late = randomUUID();
    const third = await pay(payBody(late, h, userId));
    assert.equal(third.status, 409, JSON.stringify(third.body));
    assert.equal(third.body.error.code, 'HOLD_NOT_ACTIVE');

    assert.equal((await sql('SELECT COUNT(*) AS n FROM payment_transactions WHERE hold_id = ?', [h.holdId]))[0]!.n, 1, 'only the first payment exists');
    assert.equal(await paymentRow(late), undefined);
    assert.equal((await ledgerRows(paymentTxId)).charges.length, 1);
    assert.equal((await ledgerRows(late)).charges.length, 0);
  });
});
