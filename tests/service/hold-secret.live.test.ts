import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DEFAULT_SERVICE_INSTANCES } from '../../contracts/topology.ts';
import { call, ctx, freshConcert, hold, instanceUrl, serviceDb, sql, waitForFinal } from '../helpers/service.ts';
import { pay, payBody, user } from '../helpers/payment-records.ts';

// The hold secret (issue #10, item 6) is answered once, by POST /holds, and then exists only
// with the client: the database keeps its SHA-256, GET /holds/:id never shows it, and no
// log line, event or outbox row of the service carries it.

after(async () => {
  await (await serviceDb()).end();
});

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

test('POST /holds answers a 32-byte base64url holdSecret; the hold row keeps only its SHA-256; GET /holds/:id never shows either', { timeout: 120_000 }, async () => {
  const { seatIds } = await freshConcert(2);
  const a = await hold(seatIds[0]!, user(), instanceUrl(1));
  const b = await hold(seatIds[1]!, user(), instanceUrl(1));
  assert.match(a.holdSecret, /^[A-Za-z0-9_-]{43}$/, 'base64url of 32 bytes');
  assert.equal(Buffer.from(a.holdSecret, 'base64url').length, 32);
  assert.notEqual(a.holdSecret, b.holdSecret, 'each hold its own secret');

  const [row] = await sql('SELECT * FROM holds WHERE id = ?', [a.holdId]);
  assert.equal(row!.secret_hash, sha256(a.holdSecret), 'the row keeps the hash');
  for (const value of Object.values(row!)) assert.notEqual(String(value), a.holdSecret, 'no column holds the secret itself');

  for (let n = 1; n <= DEFAULT_SERVICE_INSTANCES; n++) {
    const got = await call('GET', `${instanceUrl(n)}/holds/${a.holdId}`);
    assert.equal(got.status, 200, JSON.stringify(got.body));
    assert.equal(got.body.holdId, a.holdId);
    assert.equal('holdSecret' in got.body, false, `service-${n}: GET /holds/:id has no holdSecret`);
    const text = JSON.stringify(got.body);
    assert.ok(!text.includes(a.holdSecret) && !text.includes(row!.secret_hash), `service-${n}: neither the secret nor its hash`);
  }
});

test('the holdSecret is in no service log, event or outbox row after a hold, a payment and refused attempts', { timeout: 180_000 }, async () => {
  const { seatIds } = await freshConcert(1);
  const userId = user();
  const h = await hold(seatIds[0]!, userId, instanceUrl(1));
  const paymentTxId = randomUUID();
  // Refused first (a wrong secret), then paid and cancelled with the right one, over the instances.
  const wrong = await pay({ ...payBody(paymentTxId, h, userId), holdSecret: `${h.holdSecret}x` }, instanceUrl(2));
  assert.equal(wrong.status, 403, JSON.stringify(wrong.body));
  assert.equal((await pay(payBody(paymentTxId, h, userId), instanceUrl(3))).status, 202);
  assert.equal((await waitForFinal(paymentTxId)).status, 'SUCCESS');
  const cancel = await call('POST', `${instanceUrl(1)}/payments/${paymentTxId}/cancel`, { userId, holdSecret: h.holdSecret });
  assert.equal(cancel.status, 202, JSON.stringify(cancel.body));
  assert.equal((await waitForFinal(paymentTxId, 90_000, (s) => s === 'CANCELLED')).status, 'CANCELLED');

  // The service's own log files (`ticketctl stack logs service-N` reads the same files).
  for (let n = 1; n <= DEFAULT_SERVICE_INSTANCES; n++) {
    const log = readFileSync(ctx.paths.logFile(`service-${n}`), 'utf8');
    assert.ok(log.length > 0, `service-${n} has a log`);
    assert.ok(!log.includes(h.holdSecret), `service-${n}'s log does not contain the hold secret`);
  }
  const events = await sql('SELECT event_data FROM event_store WHERE aggregate_id = ?', [paymentTxId]);
  assert.ok(events.length >= 3, 'the payment has its events');
  const outbox = await sql('SELECT payload FROM outbox WHERE message_key = ?', [paymentTxId]);
  assert.ok(outbox.length >= 2, 'and its outbox rows');
  for (const r of [...events, ...outbox]) assert.ok(!JSON.stringify(r).includes(h.holdSecret), 'no event or outbox row carries the secret');
});
