import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../../lib/wait.ts';
import { createGatewayClient, GatewayError } from './client.ts';
import { countRows, get, newKey, newTxId, post, startTestGateway, type TestGateway } from '../../tests/helpers/gateway.ts';

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway();
});
after(() => gw.close());

const chargeRows = (key: string) => countRows(gw.pool, 'SELECT COUNT(*) AS n FROM gateway_charges WHERE idempotency_key = ?', [key]);

test('a new charge is 201 CHARGED, in KRW by default', async () => {
  const body = { idempotencyKey: newKey(), paymentTxId: newTxId(), amount: 55_000 };
  const res = await post(gw.baseUrl, '/charges', body);
  assert.equal(res.status, 201);
  assert.equal(res.body.status, 'CHARGED');
  assert.equal(res.body.currency, 'KRW');
  assert.equal(res.body.replayed, false);
  assert.ok(Number.isInteger(res.body.id));
  assert.ok(!Number.isNaN(Date.parse(res.body.createdAt)));
  const { replayed: _, ...charge } = res.body;
  assert.deepEqual((await get(gw.baseUrl, `/charges/${res.body.id}`)).body, { ...charge, refunds: [], refundedAmount: 0, refund: null });
});

test('the same key and body replays the same charge with 200', async () => {
  const input = { idempotencyKey: newKey(), paymentTxId: newTxId(), amount: 1200, currency: 'USD' };
  const first = await gw.client.charge(input);
  const again = await post(gw.baseUrl, '/charges', input);
  assert.equal(again.status, 200);
  assert.equal(again.body.id, first.id);
  assert.equal(again.body.replayed, true);
  assert.equal(await chargeRows(input.idempotencyKey), 1);
});

test('the same key with a different body is 409 IDEMPOTENCY_CONFLICT naming the field', async () => {
  const input = { idempotencyKey: newKey(), paymentTxId: newTxId(), amount: 1000 };
  await gw.client.charge(input);
  const res = await post(gw.baseUrl, '/charges', { ...input, amount: 2000 });
  assert.equal(res.status, 409);
  assert.equal(res.body.error.code, 'IDEMPOTENCY_CONFLICT');
  assert.equal(res.body.error.field, 'amount');
  await assert.rejects(gw.client.charge({ ...input, paymentTxId: newTxId() }), (err) => {
    assert.ok(err instanceof GatewayError);
    assert.equal(err.code, 'IDEMPOTENCY_CONFLICT');
    assert.equal(err.retriable, false);
    return true;
  });
});

test('50 concurrent charges with one key leave exactly one ledger row', async () => {
  const input = { idempotencyKey: newKey('race'), paymentTxId: newTxId(), amount: 7000 };
  const results = await Promise.all(Array.from({ length: 50 }, () => post(gw.baseUrl, '/charges', input)));
  assert.deepEqual([...new Set(results.map((r) => r.status))].sort(), [200, 201]);
  assert.equal(results.filter((r) => r.status === 201).length, 1);
  assert.equal(new Set(results.map((r) => r.body.id)).size, 1);
  assert.equal(await chargeRows(input.idempotencyKey), 1);
});

test('errorRate=1 answers 503 GATEWAY_UNAVAILABLE and records nothing', async (t) => {
  await gw.client.setKnobs({ errorRate: 1 });
  t.after(() => gw.client.setKnobs({ errorRate: 0 }));
  const input = { idempotencyKey: newKey(), paymentTxId: newTxId(), amount: 100 };
  await assert.rejects(gw.client.charge(input), (err) => {
    assert.ok(err instanceof GatewayError);
    assert.equal(err.status, 503);
    assert.equal(err.code, 'GATEWAY_UNAVAILABLE');
    assert.equal(err.retriable, true);
    return true;
  });
  assert.equal(await chargeRows(input.idempotencyKey), 0);
  assert.deepEqual(await gw.client.getCharges(input.paymentTxId), []);
});

test('declineRate=1 records a DECLINED charge and answers 402 CARD_DECLINED, also on replay', async (t) => {
  await gw.client.setKnobs({ declineRate: 1 });
  t.after(() => gw.client.setKnobs({ declineRate: 0 }));
  const input = { idempotencyKey: newKey(), paymentTxId: newTxId(), amount: 100 };
  const first = await post(gw.baseUrl, '/charges', input);
  assert.equal(first.status, 402);
  assert.equal(first.body.error.code, 'CARD_DECLINED');
  assert.equal(first.body.charge.status, 'DECLINED');
  const [row] = await gw.client.getCharges(input.paymentTxId);
  assert.equal(row?.status, 'DECLINED');
  assert.equal(row?.id, first.body.charge.id);

  await gw.client.setKnobs({ declineRate: 0 });
  await assert.rejects(gw.client.charge(input), (err) => {
    assert.ok(err instanceof GatewayError);
    assert.equal(err.code, 'CARD_DECLINED');
    assert.equal(err.retriable, false);
    assert.equal(err.charge?.id, first.body.charge.id);
    assert.equal(err.charge?.replayed, true);
    return true;
  });
});

test('charged but answered too late: the client times out (retriable), the ledger has the charge, a retry replays it', async (t) => {
  await gw.client.setKnobs({ timeoutAfterChargeRate: 1, timeoutAfterChargeMs: 5000 });
  t.after(() => gw.client.setKnobs({ timeoutAfterChargeRate: 0, timeoutAfterChargeMs: 30_000 }));
  const impatient = createGatewayClient({ baseUrl: gw.baseUrl, timeoutMs: 300 });
  const input = { idempotencyKey: newKey(), paymentTxId: newTxId(), amount: 9900 };

  await assert.rejects(impatient.charge(input), (err) => {
    assert.ok(err instanceof GatewayError);
    assert.equal(err.code, 'GATEWAY_TIMEOUT');
    assert.equal(err.retriable, true);
    assert.equal(err.status, undefined);
    return true;
  });
  const [charged] = await waitFor(
    async () => {
      const rows = await gw.client.getCharges(input.paymentTxId);
      return rows.length > 0 && rows;
    },
    { timeoutMs: 5000, intervalMs: 50, what: 'the late-answered charge to be in the ledger' },
  );
  assert.equal(charged?.status, 'CHARGED');

  // The knob is still on: a replay's outcome was decided already, so it answers at once.
  const retried = await impatient.charge(input);
  assert.equal(retried.id, charged?.id);
  assert.equal(retried.replayed, true);
  assert.equal(await chargeRows(input.idempotencyKey), 1);
});

test('outcomes follow the injected random(): only switched-on knobs draw', async () => {
  const draws = [0.9, 0.1, 0.2];
  const local = await startTestGateway({ knobs: { errorRate: 0.5, declineRate: 0.5 }, random: () => draws.shift() ?? 0.99 });
  try {
    // Draw 0.9 vs errorRate: no outage; draw 0.1 vs declineRate: declined.
    const declined = await post(local.baseUrl, '/charges', { idempotencyKey: newKey(), paymentTxId: newTxId(), amount: 5 });
    assert.equal(declined.status, 402);
    // Draw 0.2 vs errorRate: outage.
    const outage = await post(local.baseUrl, '/charges', { idempotencyKey: newKey(), paymentTxId: newTxId(), amount: 5 });
    assert.equal(outage.status, 503);
    assert.equal(draws.length, 0);
  } finally {
    await local.close();
  }
});

test('latencyMs delays the answer', async (t) => {
  await gw.client.setKnobs({ latencyMs: 300 });
  t.after(() => gw.client.setKnobs({ latencyMs: 0 }));
  const started = performance.now();
  await gw.client.charge({ idempotencyKey: newKey(), paymentTxId: newTxId(), amount: 1 });
  assert.ok(performance.now() - started >= 290);
});

test('a charge held back by latencyMs is in flight (GET /health) until it lands, also after its caller gave up', async (t) => {
  // A gateway of its own: the shared one may still be holding back another test's answer.
  const gw = await startTestGateway({ knobs: { latencyMs: 1500 } });
  t.after(() => gw.close());
  const paymentTxId = newTxId();
  const gaveUp = await fetch(`${gw.baseUrl}/charges`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ idempotencyKey: newKey(), paymentTxId, amount: 7 }),
    signal: AbortSignal.timeout(100),
  }).then(
    () => 'answered',
    (err: Error) => err.name,
  );
  assert.equal(gaveUp, 'TimeoutError');
  assert.equal((await gw.client.health()).inFlight, 1);
  assert.deepEqual(await gw.client.getCharges(paymentTxId), [], 'not recorded yet');
  await waitFor(async () => (await gw.client.health()).inFlight === 0, { timeoutMs: 10_000, intervalMs: 50, what: 'the held-back charge to land' });
  assert.deepEqual(
    (await gw.client.getCharges(paymentTxId)).map((c) => [c.amount, c.status]),
    [[7, 'CHARGED']],
    'recorded although nobody waited for the answer',
  );
});

test('GET /charges lists the charges of one payment; an unknown id is 404', async () => {
  const paymentTxId = newTxId();
  const a = await gw.client.charge({ idempotencyKey: newKey(), paymentTxId, amount: 10 });
  const b = await gw.client.charge({ idempotencyKey: newKey(), paymentTxId: paymentTxId.toUpperCase(), amount: 10 });
  assert.equal(b.paymentTxId, paymentTxId);
  assert.deepEqual(
    (await gw.client.getCharges(paymentTxId)).map((c) => [c.id, c.refund]),
    [
      [a.id, null],
      [b.id, null],
    ],
  );
  const missing = await get(gw.baseUrl, '/charges/999999999999999');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error.code, 'CHARGE_NOT_FOUND');
});
