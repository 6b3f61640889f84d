import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from './client.ts';
import { countRows, newKey, newTxId, post, startTestGateway, type TestGateway } from '../../tests/helpers/gateway.ts';

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway();
});
after(() => gw.close());

const newCharge = () => gw.client.charge({ idempotencyKey: newKey('charge'), paymentTxId: newTxId(), amount: 30_000 });
const refundRows = (chargeId: number) => countRows(gw.pool, 'SELECT COUNT(*) AS n FROM gateway_refunds WHERE charge_id = ?', [chargeId]);

test('a refund is 201; the same key replays it with 200, by id or by charge key', async () => {
  const charge = await newCharge();
  const idempotencyKey = newKey('refund');
  const first = await post(gw.baseUrl, '/refunds', { idempotencyKey, chargeId: charge.id, reason: 'seat released' });
  assert.equal(first.status, 201);
  assert.equal(first.body.status, 'REFUNDED');
  assert.equal(first.body.amount, charge.amount);
  assert.equal(first.body.paymentTxId, charge.paymentTxId);
  assert.equal(first.body.replayed, false);

  const again = await post(gw.baseUrl, '/refunds', { idempotencyKey, chargeIdempotencyKey: charge.idempotencyKey, reason: 'seat released' });
  assert.equal(again.status, 200);
  assert.equal(again.body.id, first.body.id);
  assert.equal(again.body.replayed, true);
  assert.equal(await refundRows(charge.id), 1);
});

test('the same refund key for another charge, amount or reason is 409 IDEMPOTENCY_CONFLICT', async () => {
  const [a, b] = [await newCharge(), await newCharge()];
  const idempotencyKey = newKey('refund');
  await gw.client.refund({ idempotencyKey, chargeId: a.id, amount: 100 });
  const other = await post(gw.baseUrl, '/refunds', { idempotencyKey, chargeId: b.id, amount: 100 });
  assert.equal(other.status, 409);
  assert.equal(other.body.error.code, 'IDEMPOTENCY_CONFLICT');
  assert.equal(other.body.error.field, 'chargeId');
  for (const amount of [200, undefined]) {
    const changed = await post(gw.baseUrl, '/refunds', { idempotencyKey, chargeId: a.id, amount });
    assert.equal(changed.status, 409, `amount ${amount}`);
    assert.equal(changed.body.error.field, 'amount');
  }
  const reason = await post(gw.baseUrl, '/refunds', { idempotencyKey, chargeId: a.id, amount: 100, reason: 'changed my mind' });
  assert.equal(reason.status, 409);
  assert.equal(reason.body.error.field, 'reason');
  assert.equal(await refundRows(a.id), 1);
  assert.equal(await refundRows(b.id), 0);
});

test('20 concurrent full refunds of one charge under different keys: one refund, the rest 409 CHARGE_ALREADY_REFUNDED', async () => {
  const charge = await newCharge();
  const results = await Promise.all(Array.from({ length: 20 }, () => post(gw.baseUrl, '/refunds', { idempotencyKey: newKey('refund'), chargeId: charge.id })));
  assert.equal(results.filter((r) => r.status === 201).length, 1, JSON.stringify(results.map((r) => r.status)));
  const refused = results.filter((r) => r.status !== 201);
  assert.ok(refused.every((r) => r.status === 409 && r.body.error.code === 'CHARGE_ALREADY_REFUNDED' && r.body.error.field === 'chargeId'));
  assert.ok(results.every((r) => !('alreadyRefunded' in r.body)));
  assert.equal(await refundRows(charge.id), 1);

  await assert.rejects(gw.client.refund({ idempotencyKey: newKey('refund'), chargeIdempotencyKey: charge.idempotencyKey }), (err) => {
    assert.ok(err instanceof GatewayError);
    assert.equal(err.status, 409);
    assert.equal(err.code, 'CHARGE_ALREADY_REFUNDED');
    assert.equal(err.field, 'chargeIdempotencyKey');
    assert.equal(err.retriable, false);
    return true;
  });
  assert.equal(await refundRows(charge.id), 1);
});

test('20 concurrent refunds with one key: one refund, the rest replay it', async () => {
  const charge = await newCharge();
  const idempotencyKey = newKey('refund');
  const results = await Promise.all(Array.from({ length: 20 }, () => post(gw.baseUrl, '/refunds', { idempotencyKey, chargeId: charge.id })));
  assert.equal(results.filter((r) => r.status === 201).length, 1);
  assert.equal(new Set(results.map((r) => r.body.id)).size, 1);
  assert.equal(await refundRows(charge.id), 1);
});

test('an unknown charge is 404 CHARGE_NOT_FOUND; a DECLINED charge is 409 NOT_REFUNDABLE', async (t) => {
  const byId = await post(gw.baseUrl, '/refunds', { idempotencyKey: newKey('refund'), chargeId: 999_999_999_999 });
  assert.equal(byId.status, 404);
  assert.equal(byId.body.error.code, 'CHARGE_NOT_FOUND');
  assert.equal(byId.body.error.field, 'chargeId');
  await assert.rejects(gw.client.refund({ idempotencyKey: newKey('refund'), chargeIdempotencyKey: newKey('nope') }), (err) => {
    assert.ok(err instanceof GatewayError);
    assert.equal(err.status, 404);
    assert.equal(err.field, 'chargeIdempotencyKey');
    assert.equal(err.retriable, false);
    return true;
  });

  await gw.client.setKnobs({ declineRate: 1 });
  t.after(() => gw.client.setKnobs({ declineRate: 0 }));
  const declined = await post(gw.baseUrl, '/charges', { idempotencyKey: newKey('charge'), paymentTxId: newTxId(), amount: 10 });
  assert.equal(declined.status, 402);
  const refund = await post(gw.baseUrl, '/refunds', { idempotencyKey: newKey('refund'), chargeId: declined.body.charge.id });
  assert.equal(refund.status, 409);
  assert.equal(refund.body.error.code, 'NOT_REFUNDABLE');
  assert.equal(await refundRows(declined.body.charge.id), 0);
});

test('errorRate=1 fails a refund with 503 and records nothing', async (t) => {
  const charge = await newCharge();
  await gw.client.setKnobs({ errorRate: 1 });
  t.after(() => gw.client.setKnobs({ errorRate: 0 }));
  const res = await post(gw.baseUrl, '/refunds', { idempotencyKey: newKey('refund'), chargeId: charge.id });
  assert.equal(res.status, 503);
  assert.equal(await refundRows(charge.id), 0);
});

test('the ledger lists charges and every refund since a time; GET /charges shows them', async () => {
  const since = new Date(Date.now() - 1000);
  const paymentTxId = newTxId();
  const double = [await gw.client.charge({ idempotencyKey: newKey('charge'), paymentTxId, amount: 500 }), await gw.client.charge({ idempotencyKey: newKey('charge'), paymentTxId, amount: 500 })];
  const first = await gw.client.refund({ idempotencyKey: newKey('refund'), chargeId: double[1]!.id, amount: 200, reason: 'double charge' });
  const rest = await gw.client.refund({ idempotencyKey: newKey('refund'), chargeId: double[1]!.id, reason: 'the rest' });
  assert.equal(rest.amount, 300);

  const page = await gw.client.ledger(since, 10_000);
  const charged = page.charges.filter((c) => c.paymentTxId === paymentTxId);
  assert.deepEqual(
    charged.map((c) => c.id),
    double.map((c) => c.id),
  );
  const refunds = page.refunds.filter((r) => r.paymentTxId === paymentTxId);
  assert.deepEqual(
    refunds.map((r) => [r.id, r.chargeId, r.amount, r.reason]),
    [
      [first.id, double[1]!.id, 200, 'double charge'],
      [rest.id, double[1]!.id, 300, 'the rest'],
    ],
  );

  const listed = await gw.client.getCharges(paymentTxId);
  assert.deepEqual(
    listed.map((c) => [c.refund?.id ?? null, c.refunds.map((r) => r.id), c.refundedAmount]),
    [
      [null, [], 0],
      [first.id, [first.id, rest.id], 500],
    ],
  );
  const future = await gw.client.ledger(new Date(Date.now() + 60_000));
  assert.deepEqual([future.charges, future.refunds], [[], []]);
});
