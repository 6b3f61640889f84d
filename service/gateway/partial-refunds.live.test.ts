import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { countRows, get, newKey, newTxId, post, startTestGateway, type TestGateway } from '../../tests/helpers/gateway.ts';

// Several refunds per charge, each under its own key (refundPolicy 'up-to-amount', the
// default): never more in total than the charge, also when they race. And the sloppy
// processor ('unchecked') that drills use to prove the service keeps its own records.

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway();
});
after(() => gw.close());

const AMOUNT = 30_000;
const newCharge = () => gw.client.charge({ idempotencyKey: newKey('charge'), paymentTxId: newTxId(), amount: AMOUNT });
const refundRows = (chargeId: number) => countRows(gw.pool, 'SELECT COUNT(*) AS n FROM gateway_refunds WHERE charge_id = ?', [chargeId]);
const refundedSum = (chargeId: number) => countRows(gw.pool, 'SELECT COALESCE(SUM(amount), 0) AS n FROM gateway_refunds WHERE charge_id = ?', [chargeId]);
const refund = (body: Record<string, unknown>) => post(gw.baseUrl, '/refunds', { idempotencyKey: newKey('refund'), ...body });

test('partial refunds under their own keys add up to the charge; one more is 409 CHARGE_ALREADY_REFUNDED and records nothing', async () => {
  const charge = await newCharge();
  const first = await refund({ chargeId: charge.id, amount: 10_000 });
  assert.equal(first.status, 201);
  assert.equal(first.body.amount, 10_000);
  const second = await refund({ chargeId: charge.id, amount: 15_000 });
  assert.equal(second.status, 201);

  // 5000 are left: more than that names `amount` and says what is left.
  const tooMuch = await refund({ chargeId: charge.id, amount: 5001 });
  assert.equal(tooMuch.status, 409);
  assert.equal(tooMuch.body.error.code, 'CHARGE_ALREADY_REFUNDED');
  assert.equal(tooMuch.body.error.field, 'amount');
  assert.equal(tooMuch.body.refundableAmount, 5000);
  assert.equal(await refundRows(charge.id), 2);

  // No amount: what is left.
  const rest = await refund({ chargeId: charge.id });
  assert.equal(rest.status, 201);
  assert.equal(rest.body.amount, 5000);

  // Nothing is left: the charge is named, with or without an amount.
  for (const body of [{ chargeId: charge.id }, { chargeId: charge.id, amount: 1 }]) {
    const none = await refund(body);
    assert.equal(none.status, 409);
    assert.equal(none.body.error.code, 'CHARGE_ALREADY_REFUNDED');
    assert.equal(none.body.error.field, 'chargeId');
    assert.equal(none.body.refundableAmount, 0);
  }
  assert.equal(await refundRows(charge.id), 3);

  const view = (await get(gw.baseUrl, `/charges/${charge.id}`)).body;
  assert.deepEqual(
    view.refunds.map((r: { id: number; amount: number }) => [r.id, r.amount]),
    [
      [first.body.id, 10_000],
      [second.body.id, 15_000],
      [rest.body.id, 5000],
    ],
  );
  assert.equal(view.refundedAmount, AMOUNT);
  assert.equal(view.refund.id, first.body.id, '`refund` is the first refund');
});

test('a refund larger than the whole charge is 409 naming amount', async () => {
  const charge = await newCharge();
  const res = await refund({ chargeId: charge.id, amount: AMOUNT + 1 });
  assert.equal(res.status, 409);
  assert.equal(res.body.error.field, 'amount');
  assert.equal(await refundRows(charge.id), 0);
});

test('a replay stays a replay after the charge is refunded in full, and a changed body stays a conflict', async () => {
  const charge = await newCharge();
  const body = { idempotencyKey: newKey('refund'), chargeId: charge.id, amount: AMOUNT };
  assert.equal((await post(gw.baseUrl, '/refunds', body)).status, 201);
  const again = await post(gw.baseUrl, '/refunds', body);
  assert.equal(again.status, 200);
  assert.equal(again.body.replayed, true);
  const changed = await post(gw.baseUrl, '/refunds', { ...body, amount: AMOUNT - 1 });
  assert.equal(changed.status, 409);
  assert.equal(changed.body.error.code, 'IDEMPOTENCY_CONFLICT');
  assert.equal(changed.body.error.field, 'amount');
  assert.equal(await refundRows(charge.id), 1);
});

test('10 concurrent partial refunds of one charge under different keys never exceed its amount', async () => {
  const charge = await newCharge();
  // 10 x 4000 asked of 30000: exactly 7 fit, whatever the order.
  const results = await Promise.all(Array.from({ length: 10 }, () => refund({ chargeId: charge.id, amount: 4000 })));
  const statuses = results.map((r) => r.status);
  assert.equal(statuses.filter((s) => s === 201).length, 7, JSON.stringify(statuses));
  assert.ok(results.filter((r) => r.status !== 201).every((r) => r.status === 409 && r.body.error.code === 'CHARGE_ALREADY_REFUNDED'));
  assert.equal(await refundedSum(charge.id), 28_000);

  // Then 10 full ("what is left") refunds at once: one takes the 2000, the rest are refused.
  const rest = await Promise.all(Array.from({ length: 10 }, () => refund({ chargeId: charge.id })));
  assert.deepEqual(
    rest.filter((r) => r.status === 201).map((r) => r.body.amount),
    [2000],
  );
  assert.equal(await refundedSum(charge.id), AMOUNT);
  assert.equal(await refundRows(charge.id), 8);
});

test("refundPolicy 'unchecked' refunds again under every new key, without a cap; replay and conflict still hold", async (t) => {
  await gw.client.setKnobs({ refundPolicy: 'unchecked' });
  t.after(() => gw.client.setKnobs({ refundPolicy: 'up-to-amount' }));
  const charge = await newCharge();
  const first = await refund({ chargeId: charge.id });
  const second = await refund({ chargeIdempotencyKey: charge.idempotencyKey });
  assert.deepEqual([first.status, second.status], [201, 201]);
  assert.deepEqual([first.body.amount, second.body.amount], [AMOUNT, AMOUNT]);
  assert.notEqual(first.body.id, second.body.id);
  const partial = await refund({ chargeId: charge.id, amount: 7 });
  assert.equal(partial.status, 201);
  assert.equal(partial.body.amount, 7);
  assert.equal(await refundedSum(charge.id), 2 * AMOUNT + 7);
  const view = await gw.client.getCharge(charge.id);
  assert.equal(view.refundedAmount, 2 * AMOUNT + 7);
  assert.equal(view.refunds.length, 3);

  const body = { idempotencyKey: newKey('refund'), chargeId: charge.id };
  assert.equal((await post(gw.baseUrl, '/refunds', body)).status, 201);
  const again = await post(gw.baseUrl, '/refunds', body);
  assert.equal(again.status, 200);
  assert.equal(again.body.replayed, true);
  const changed = await post(gw.baseUrl, '/refunds', { ...body, reason: 'other' });
  assert.equal(changed.status, 409);
  assert.equal(changed.body.error.code, 'IDEMPOTENCY_CONFLICT');
  assert.equal(await refundRows(charge.id), 4);
});
