import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { anyInstance, call, gateway, hold, instanceUrl, serviceDb, sql, waitForFinal, adminCall } from '../helpers/service.ts';
import { assertVersionsInOrder, events, holdStatus, ledgerRows, paidSeat, pay, payBody, PRICE, seatRow, user } from '../helpers/payment-records.ts';
import { DEFAULT_SERVICE_INSTANCES } from '../../contracts/topology.ts';

// Cancelling a paid reservation against the running instances: the refund at the gateway,
// the seat free again, the events, and a repeated cancel recorded once. Every check reads a
// system of record, never the service's own answer alone.

before(async () => {
  // Tests below rely on the default gateway behaviour: a clean slate even after an aborted run.
  await gateway.setKnobs({ latencyMs: 0, errorRate: 0, declineRate: 0, timeoutAfterChargeRate: 0 });
  for (let n = 1; n <= DEFAULT_SERVICE_INSTANCES; n++) await adminCall('POST', n, '/admin/breaker', { action: 'reset' });
});

after(async () => {
  await (await serviceDb()).end();
});

describe('cancel', () => {
  test('a cancel repeated before the saga has cancelled is one request: one PaymentCancelRequested, one payment.cancel, one refund', { timeout: 300_000 }, async () => {
    const p = await paidSeat();
    // A burst of the same request on every instance (a retrying client, a double click):
    // each answers 202 CANCELLING while the payment is still SUCCESS, or 409 NOT_CANCELLABLE
    // once the saga has cancelled it; either way only the first one is recorded.
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => call('POST', `${instanceUrl((i % 3) + 1)}/payments/${p.paymentTxId}/cancel`, { userId: p.userId, holdSecret: p.holdSecret })));
    for (const a of answers) assert.ok(a.status === 202 || (a.status === 409 && a.body.error.code === 'NOT_CANCELLABLE'), JSON.stringify(a.body));
    assert.ok(
      answers.some((a) => a.status === 202),
      'the first cancel is accepted',
    );
    assert.equal((await waitForFinal(p.paymentTxId, 90_000, (s) => s === 'CANCELLED')).status, 'CANCELLED');
    const requested = (await events(p.paymentTxId)).filter((e) => e.type === 'PaymentCancelRequested');
    assert.equal(requested.length, 1, 'one PaymentCancelRequested in the event store');
    assert.equal((await sql("SELECT COUNT(*) AS n FROM outbox WHERE message_key = ? AND topic = 'payment.cancel'", [p.paymentTxId]))[0]!.n, 1, 'one payment.cancel outbox row');
    assert.equal((await ledgerRows(p.paymentTxId)).refunds.length, 1, 'exactly one refund');
  });

  test("a stranger who knows the paymentTxId and the owner's userId, but not the hold secret, cannot cancel: 403, and the seat stays sold", { timeout: 300_000 }, async () => {
    const p = await paidSeat();
    // paymentTxId travels in URLs (pollUrl, redirectUrl) and userId is no secret: before
    // hold secrets, these two were all a cancel needed.
    for (const body of [{ userId: p.userId }, { userId: p.userId, holdSecret: Buffer.alloc(32).toString('base64url') }]) {
      const r = await call('POST', `${anyInstance()}/payments/${p.paymentTxId}/cancel`, body);
      assert.equal(r.status, 403, JSON.stringify(r.body));
      assert.equal(r.body.error.code, 'HOLD_SECRET_INVALID');
      assert.equal(r.body.error.field, 'holdSecret');
    }
    assert.equal((await call('GET', `${anyInstance()}/payments/${p.paymentTxId}`)).body.status, 'SUCCESS');
    assert.equal(
      (await events(p.paymentTxId)).some((e) => e.type === 'PaymentCancelRequested'),
      false,
      'no PaymentCancelRequested',
    );
    assert.equal((await sql("SELECT COUNT(*) AS n FROM outbox WHERE message_key = ? AND topic = 'payment.cancel'", [p.paymentTxId]))[0]!.n, 0, 'no payment.cancel outbox row');
    assert.deepEqual(await seatRow(p.seatId), { status: 'SOLD', holdId: p.holdId });
    assert.equal(await holdStatus(p.holdId), 'PAID');
    assert.equal((await ledgerRows(p.paymentTxId)).refunds.length, 0, 'no refund');
  });

  test('cancel a paid reservation: CANCELLED, the charge refunded, the seat free for someone else', { timeout: 300_000 }, async () => {
    const p = await paidSeat();

    // The userId check stays behind the secret: the right secret with another userId is refused too.
    const stranger = await call('POST', `${anyInstance()}/payments/${p.paymentTxId}/cancel`, { userId: user(), holdSecret: p.holdSecret });
    assert.equal(stranger.status, 409);
    assert.equal(stranger.body.error.code, 'PAYMENT_NOT_YOURS');

    const r = await call('POST', `${anyInstance()}/payments/${p.paymentTxId}/cancel`, { userId: p.userId, holdSecret: p.holdSecret });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    assert.equal(r.body.status, 'CANCELLING');
    assert.equal(r.body.pollUrl, `/payments/${p.paymentTxId}`);

    const final = await waitForFinal(p.paymentTxId, 90_000, (s) => s === 'CANCELLED');
    assert.equal(final.status, 'CANCELLED');

    const { charges, refunds } = await ledgerRows(p.paymentTxId);
    assert.equal(charges.length, 1);
    assert.equal(refunds.length, 1, 'exactly one refund');
    assert.equal(Number(refunds[0]!.charge_id), Number(charges[0]!.id));
    assert.equal(Number(refunds[0]!.amount), PRICE);
    const viaApi = await gateway.getCharges(p.paymentTxId);
    assert.ok(viaApi[0]!.refund, 'the gateway reports the charge as refunded');

    assert.deepEqual(await seatRow(p.seatId), { status: 'AVAILABLE', holdId: null });
    assert.equal(await holdStatus(p.holdId), 'CANCELLED');

    const list = await events(p.paymentTxId);
    assertVersionsInOrder(list, p.paymentTxId);
    assert.deepEqual(
      list.slice(-3).map((e) => e.type),
      ['PaymentCancelRequested', 'PaymentCancelled', 'PaymentRefunded'],
    );

    const again = await call('POST', `${anyInstance()}/payments/${p.paymentTxId}/cancel`, { userId: p.userId, holdSecret: p.holdSecret });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'NOT_CANCELLABLE');

    // Someone else can now hold and buy the seat.
    const userB = user();
    const hB = await hold(p.seatId, userB);
    const txB = randomUUID();
    assert.equal((await pay(payBody(txB, hB, userB))).status, 202);
    assert.equal((await waitForFinal(txB)).status, 'SUCCESS');
    assert.deepEqual(await seatRow(p.seatId), { status: 'SOLD', holdId: hB.holdId });
    assert.equal((await ledgerRows(p.paymentTxId)).refunds.length, 1, 'still one refund for the first payment');
  });
});
