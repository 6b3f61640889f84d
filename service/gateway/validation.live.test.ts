import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeCursor } from './charges.ts';
import { countRows, get, newKey, newTxId, post, startTestGateway, type TestGateway } from '../../tests/helpers/gateway.ts';

// Bad input always gets a 4xx JSON error naming the field; never a 500, never a row.

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway();
});
after(() => gw.close());

const key = newKey('bad');
const valid = { idempotencyKey: key, paymentTxId: newTxId(), amount: 1000 };
const without = (field: keyof typeof valid) => Object.fromEntries(Object.entries(valid).filter(([k]) => k !== field));

const chargeCases: Array<[string, unknown, string | undefined]> = [
  ['missing idempotencyKey', without('idempotencyKey'), 'idempotencyKey'],
  ['missing paymentTxId', without('paymentTxId'), 'paymentTxId'],
  ['missing amount', without('amount'), 'amount'],
  ['empty idempotencyKey', { ...valid, idempotencyKey: '' }, 'idempotencyKey'],
  ['idempotencyKey over 100 characters', { ...valid, idempotencyKey: 'k'.repeat(101) }, 'idempotencyKey'],
  ['numeric idempotencyKey', { ...valid, idempotencyKey: 42 }, 'idempotencyKey'],
  ['non-UUID paymentTxId', { ...valid, paymentTxId: 'not-a-uuid' }, 'paymentTxId'],
  ['urn:uuid: paymentTxId', { ...valid, paymentTxId: `urn:uuid:${newTxId()}` }, 'paymentTxId'],
  ['amount as a string', { ...valid, amount: '1000' }, 'amount'],
  ['negative amount', { ...valid, amount: -5 }, 'amount'],
  ['zero amount', { ...valid, amount: 0 }, 'amount'],
  ['fractional amount', { ...valid, amount: 10.5 }, 'amount'],
  ['amount beyond 2^53', { ...valid, amount: 2 ** 60 }, 'amount'],
  ['null amount', { ...valid, amount: null }, 'amount'],
  ['lower-case currency', { ...valid, currency: 'krw' }, 'currency'],
  ['4-letter currency', { ...valid, currency: 'KRWX' }, 'currency'],
  ['unknown property', { ...valid, ammount: 5 }, 'ammount'],
  ['an array body', [valid], undefined],
];

for (const [name, body, field] of chargeCases) {
  test(`POST /charges: ${name} is 400 naming ${field ?? 'the body'}`, async () => {
    const res = await post(gw.baseUrl, '/charges', body);
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'VALIDATION_FAILED');
    assert.equal(res.body.error.field, field);
    assert.equal(typeof res.body.error.message, 'string');
  });
}

test('POST /charges: malformed JSON is 400 MALFORMED_JSON', async () => {
  const res = await post(gw.baseUrl, '/charges', '{"idempotencyKey": "x", "amount": 1');
  assert.equal(res.status, 400);
  assert.equal(res.body.error.code, 'MALFORMED_JSON');
});

test('POST /charges: an empty JSON body is 400, a __proto__ key is 400', async () => {
  assert.equal((await post(gw.baseUrl, '/charges', '')).status, 400);
  const poisoned = await post(gw.baseUrl, '/charges', `{"__proto__": {"x": 1}, "idempotencyKey": "${newKey()}"}`);
  assert.equal(poisoned.status, 400);
});

test('POST /charges: a 20 KiB body is 413 BODY_TOO_LARGE', async () => {
  const res = await post(gw.baseUrl, '/charges', { ...valid, idempotencyKey: newKey(), padding: 'x'.repeat(20 * 1024) });
  assert.equal(res.status, 413);
  assert.equal(res.body.error.code, 'BODY_TOO_LARGE');
});

test('POST /charges: a non-JSON content type is a 4xx JSON error', async () => {
  const text = await post(gw.baseUrl, '/charges', 'amount=5', { 'content-type': 'text/plain' });
  assert.equal(text.status, 400);
  const form = await post(gw.baseUrl, '/charges', 'amount=5', { 'content-type': 'application/x-www-form-urlencoded' });
  assert.equal(form.status, 415);
  assert.equal(form.body.error.code, 'UNSUPPORTED_MEDIA_TYPE');
});

test('none of the bad charges left a row', async () => {
  assert.equal(await countRows(gw.pool, 'SELECT COUNT(*) AS n FROM gateway_charges WHERE idempotency_key = ?', [key]), 0);
});

const refundCases: Array<[string, unknown, string]> = [
  ['missing idempotencyKey', { chargeId: 1 }, 'idempotencyKey'],
  ['neither chargeId nor chargeIdempotencyKey', { idempotencyKey: newKey() }, 'chargeId'],
  ['both chargeId and chargeIdempotencyKey', { idempotencyKey: newKey(), chargeId: 1, chargeIdempotencyKey: 'k' }, 'chargeId'],
  ['chargeId as a string', { idempotencyKey: newKey(), chargeId: '1' }, 'chargeId'],
  ['zero chargeId', { idempotencyKey: newKey(), chargeId: 0 }, 'chargeId'],
  ['numeric reason', { idempotencyKey: newKey(), chargeId: 1, reason: 5 }, 'reason'],
  ['zero amount', { idempotencyKey: newKey(), chargeId: 1, amount: 0 }, 'amount'],
  ['fractional amount', { idempotencyKey: newKey(), chargeId: 1, amount: 2.5 }, 'amount'],
  ['amount as a string', { idempotencyKey: newKey(), chargeId: 1, amount: '5' }, 'amount'],
];

for (const [name, body, field] of refundCases) {
  test(`POST /refunds: ${name} is 400 naming ${field}`, async () => {
    const res = await post(gw.baseUrl, '/refunds', body);
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'VALIDATION_FAILED');
    assert.equal(res.body.error.field, field);
  });
}

const from = '2025-01-31T12:00:00Z';
const cursor = encodeCursor({ createdAt: '2025-01-31T12:00:00.000Z', id: 7 });
/** base64url of text that is not "<ISO time>|<id>", or not in its canonical spelling. */
const forged = (text: string) => Buffer.from(text).toString('base64url');
const queryCases: Array<[string, number, string | undefined]> = [
  ['/charges', 400, 'paymentTxId'],
  ['/charges?paymentTxId=nope', 400, 'paymentTxId'],
  [`/charges?paymentTxId=${newTxId()}&createdFrom=${from}`, 400, 'createdFrom'],
  [`/charges?paymentTxId=${newTxId()}&cursor=${cursor}`, 400, 'cursor'],
  [`/charges?paymentTxId=${newTxId()}&limit=5`, 400, 'limit'],
  [`/charges?cursor=${cursor}`, 400, 'createdFrom'],
  ['/charges?limit=5', 400, 'createdFrom'],
  ['/charges?createdFrom=yesterday', 400, 'createdFrom'],
  [`/charges?createdFrom=${from}&limit=0`, 400, 'limit'],
  [`/charges?createdFrom=${from}&limit=1001`, 400, 'limit'],
  [`/charges?createdFrom=${from}&limit=ten`, 400, 'limit'],
  [`/charges?createdFrom=${from}&cursor=not-a-cursor`, 400, 'cursor'],
  [`/charges?createdFrom=${from}&cursor=${forged('2025-01-31T12:00:00.000Z|0')}`, 400, 'cursor'],
  [`/charges?createdFrom=${from}&cursor=${forged('2025-02-30T12:00:00.000Z|7')}`, 400, 'cursor'],
  [`/charges?createdFrom=${from}&cursor=${forged('2025-01-31T12:00:00Z|7')}`, 400, 'cursor'],
  [`/charges?createdFrom=${from}&cursor=${cursor.slice(0, -3)}`, 400, 'cursor'],
  [`/charges?createdFrom=${from}&cursor=${cursor}*`, 400, 'cursor'],
  [`/charges?createdFrom=${from}&colour=red`, 400, 'colour'],
  ['/charges/abc', 400, 'id'],
  ['/charges/0', 400, 'id'],
  ['/ledger?since=yesterday', 400, 'since'],
  ['/ledger?limit=0', 400, 'limit'],
  ['/ledger?limit=10001', 400, 'limit'],
  ['/ledger?limit=ten', 400, 'limit'],
  ['/ledger?colour=red', 400, 'colour'],
  ['/nowhere', 404, undefined],
];

for (const [url, status, field] of queryCases) {
  test(`GET ${url} is ${status}${field ? ` naming ${field}` : ''}`, async () => {
    const res = await get(gw.baseUrl, url);
    assert.equal(res.status, status, JSON.stringify(res.body));
    assert.equal(res.body.error.field, field);
  });
}

const knobCases: Array<[unknown, string]> = [
  [{ errorRate: 1.5 }, 'errorRate'],
  [{ declineRate: -0.1 }, 'declineRate'],
  [{ latencyMs: 120_001 }, 'latencyMs'],
  [{ timeoutAfterChargeMs: 1.5 }, 'timeoutAfterChargeMs'],
  [{ errorRate: '0.5' }, 'errorRate'],
  [{ errorRatio: 0.5 }, 'errorRatio'],
  [{ refundPolicy: 'never' }, 'refundPolicy'],
  [{ refundPolicy: 1 }, 'refundPolicy'],
];

for (const [body, field] of knobCases) {
  test(`PUT /knobs ${JSON.stringify(body)} is 400 naming ${field} and changes nothing`, async () => {
    const before = await gw.client.getKnobs();
    const res = await fetch(new URL('/knobs', gw.baseUrl), { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const answer = (await res.json()) as { error: { field: string } };
    assert.equal(res.status, 400);
    assert.equal(answer.error.field, field);
    assert.deepEqual(await gw.client.getKnobs(), before);
  });
}
