import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { anyInstance, freshConcert, hold, serviceDb, sql } from '../helpers/service.ts';
import { paidSeat } from '../helpers/payment-records.ts';

// Bad input never reaches the database unchecked: every malformed request answers a 4xx
// JSON error `{error: {code, message, field?}}` naming the field at fault, fast, and never
// a 500. The matrix is plain data; each row runs as its own subtest against a rotating
// instance, and afterwards SQL shows none of it wrote a row.
//
// Paying and cancelling need the hold's secret (issue #10, item 6): a missing, wrong or
// another hold's secret is 403 HOLD_SECRET_INVALID naming holdSecret, also on a repeat of
// a paymentTxId that exists, and a SUCCESS payment stays SUCCESS with no cancel recorded.

after(async () => {
  await (await serviceDb()).end();
});

interface Sent {
  status: number;
  body: any;
  contentType: string | null;
  ms: number;
}

interface Case {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  /** Sent as JSON with content-type application/json. */
  json?: unknown;
  /** Sent as is, with `contentType` (application/json unless given). */
  raw?: string;
  contentType?: string;
  status: number;
  code: string;
  /** The field the error must name; omitted when no single field is at fault. */
  field?: string;
  /** What the message must say, when the fix is the point. */
  message?: RegExp;
}

async function send(c: Case, base: string): Promise<Sent> {
  const headers: Record<string, string> = {};
  let body: string | undefined;
  if (c.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(c.json);
  } else if (c.raw !== undefined) {
    headers['content-type'] = c.contentType ?? 'application/json';
    body = c.raw;
  } else if (c.contentType) {
    headers['content-type'] = c.contentType;
  }
  const t0 = performance.now();
  const res = await fetch(`${base}${c.path}`, { method: c.method, headers, body, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    assert.fail(`${c.name}: answer is not JSON (${res.status}): ${text.slice(0, 200)}`);
  }
  return { status: res.status, body: parsed, contentType: res.headers.get('content-type'), ms: performance.now() - t0 };
}

// 20 KiB of valid JSON: refused for its size, not its content.
const oversized = JSON.stringify({ seatId: 1, userId: 'big', padding: 'x'.repeat(20 * 1024) });

interface Ids {
  freeSeat: number;
  heldSeat: number;
  holdId: string;
  holdSecret: string;
  concertId: number;
  txIds: string[];
  /** A SUCCESS payment of another user's hold: a cancel target, and "another hold's secret". */
  paid: { paymentTxId: string; holdId: string; holdSecret: string; userId: string };
  /** A hold whose secret_hash is NULL, as one made before migration 009. */
  oldHold: { holdId: string; holdSecret: string; userId: string };
}

function matrix(ids: Ids): Case[] {
  const { freeSeat, heldSeat, holdId, holdSecret, concertId, paid, oldHold } = ids;
  const tx = () => {
    const id = randomUUID();
    ids.txIds.push(id);
    return id;
  };
  const pay = (patch: Record<string, unknown>) => ({ paymentTxId: tx(), holdId, userId: 'holder', amount: 50_000, holdSecret, ...patch });
  const payNoSecret: Record<string, unknown> = pay({});
  delete payNoSecret.holdSecret;
  const replay = { paymentTxId: paid.paymentTxId, holdId: paid.holdId, userId: paid.userId, amount: 50_000 };
  const cancelPaid = `/payments/${paid.paymentTxId}/cancel`;
  const wrongSecret = Buffer.alloc(32, 7).toString('base64url');
  const secretError = { status: 403, code: 'HOLD_SECRET_INVALID', field: 'holdSecret' } as const;
  const unknownUuid = randomUUID();
  return [
    // POST /holds
    { name: 'holds: seatId missing', method: 'POST', path: '/holds', json: { userId: 'u1' }, status: 400, code: 'INVALID_FIELD', field: 'seatId' },
    { name: 'holds: userId missing', method: 'POST', path: '/holds', json: { seatId: freeSeat }, status: 400, code: 'INVALID_FIELD', field: 'userId' },
    { name: 'holds: seatId as a string', method: 'POST', path: '/holds', json: { seatId: String(freeSeat), userId: 'u1' }, status: 400, code: 'INVALID_FIELD', field: 'seatId' },
    { name: 'holds: seatId a float', method: 'POST', path: '/holds', json: { seatId: freeSeat + 0.5, userId: 'u1' }, status: 400, code: 'INVALID_FIELD', field: 'seatId' },
    { name: 'holds: seatId null', method: 'POST', path: '/holds', json: { seatId: null, userId: 'u1' }, status: 400, code: 'INVALID_FIELD', field: 'seatId' },
    { name: 'holds: seatId zero', method: 'POST', path: '/holds', json: { seatId: 0, userId: 'u1' }, status: 400, code: 'INVALID_FIELD', field: 'seatId' },
    { name: 'holds: seatId negative', method: 'POST', path: '/holds', json: { seatId: -freeSeat, userId: 'u1' }, status: 400, code: 'INVALID_FIELD', field: 'seatId' },
    { name: 'holds: seatId beyond 2^53', method: 'POST', path: '/holds', raw: `{"seatId":1e20,"userId":"u1"}`, status: 400, code: 'INVALID_FIELD', field: 'seatId' },
    { name: 'holds: userId a boolean', method: 'POST', path: '/holds', json: { seatId: freeSeat, userId: true }, status: 400, code: 'INVALID_FIELD', field: 'userId' },
    { name: 'holds: userId empty', method: 'POST', path: '/holds', json: { seatId: freeSeat, userId: '' }, status: 400, code: 'INVALID_FIELD', field: 'userId' },
    { name: 'holds: userId too long', method: 'POST', path: '/holds', json: { seatId: freeSeat, userId: 'u'.repeat(65) }, status: 400, code: 'INVALID_FIELD', field: 'userId' },
    { name: 'holds: userId with SQL in it', method: 'POST', path: '/holds', json: { seatId: freeSeat, userId: "x'); DROP TABLE holds; --" }, status: 400, code: 'INVALID_FIELD', field: 'userId' },
    { name: 'holds: unknown extra field', method: 'POST', path: '/holds', json: { seatId: freeSeat, userId: 'u1', price: 1 }, status: 400, code: 'INVALID_FIELD', field: 'price' },
    { name: 'holds: body is an array', method: 'POST', path: '/holds', json: [freeSeat, 'u1'], status: 400, code: 'INVALID_FIELD', field: 'body' },
    { name: 'holds: body is null', method: 'POST', path: '/holds', raw: 'null', status: 400, code: 'INVALID_FIELD', field: 'body' },
    { name: 'holds: malformed JSON', method: 'POST', path: '/holds', raw: `{"seatId": ${freeSeat}, "userId": `, status: 400, code: 'INVALID_JSON' },
    { name: 'holds: __proto__ key', method: 'POST', path: '/holds', raw: `{"__proto__":{"admin":true},"seatId":${freeSeat},"userId":"u1"}`, status: 400, code: 'INVALID_JSON' },
    { name: 'holds: empty body with JSON content-type', method: 'POST', path: '/holds', raw: '', status: 400, code: 'INVALID_JSON' },
    { name: 'holds: no body at all', method: 'POST', path: '/holds', status: 400, code: 'INVALID_FIELD', field: 'body' },
    { name: 'holds: 20 KiB body', method: 'POST', path: '/holds', raw: oversized, status: 413, code: 'BODY_TOO_LARGE' },
    { name: 'holds: text/plain', method: 'POST', path: '/holds', raw: JSON.stringify({ seatId: freeSeat, userId: 'u1' }), contentType: 'text/plain', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
    { name: 'holds: form-encoded', method: 'POST', path: '/holds', raw: `seatId=${freeSeat}&userId=u1`, contentType: 'application/x-www-form-urlencoded', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
    { name: 'holds: XML', method: 'POST', path: '/holds', raw: `<hold seatId="${freeSeat}"/>`, contentType: 'application/xml', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
    { name: 'holds: unknown seat', method: 'POST', path: '/holds', json: { seatId: 9_007_199_254_740_991, userId: 'u1' }, status: 404, code: 'SEAT_NOT_FOUND', field: 'seatId' },
    { name: 'holds: seat already held', method: 'POST', path: '/holds', json: { seatId: heldSeat, userId: 'late-user' }, status: 409, code: 'SEAT_TAKEN', field: 'seatId' },
    { name: 'holds: seat already held, same user', method: 'POST', path: '/holds', json: { seatId: heldSeat, userId: 'holder' }, status: 409, code: 'SEAT_TAKEN', field: 'seatId' },

    // POST /payments
    { name: 'payments: paymentTxId missing', method: 'POST', path: '/payments', json: { holdId, userId: 'holder', amount: 50_000 }, status: 400, code: 'INVALID_FIELD', field: 'paymentTxId' },
    { name: 'payments: holdId missing', method: 'POST', path: '/payments', json: { paymentTxId: tx(), userId: 'holder', amount: 50_000 }, status: 400, code: 'INVALID_FIELD', field: 'holdId' },
    { name: 'payments: amount missing', method: 'POST', path: '/payments', json: { paymentTxId: tx(), holdId, userId: 'holder' }, status: 400, code: 'INVALID_FIELD', field: 'amount' },
    { name: 'payments: paymentTxId not a UUID', method: 'POST', path: '/payments', json: pay({ paymentTxId: 'pay-1' }), status: 400, code: 'INVALID_FIELD', field: 'paymentTxId' },
    { name: 'payments: paymentTxId a number', method: 'POST', path: '/payments', json: pay({ paymentTxId: 12345 }), status: 400, code: 'INVALID_FIELD', field: 'paymentTxId' },
    { name: 'payments: holdId not a UUID', method: 'POST', path: '/payments', json: pay({ holdId: `${holdId}' OR '1'='1` }), status: 400, code: 'INVALID_FIELD', field: 'holdId' },
    { name: 'payments: amount a float', method: 'POST', path: '/payments', json: pay({ amount: 500.5 }), status: 400, code: 'INVALID_FIELD', field: 'amount' },
    { name: 'payments: amount a string', method: 'POST', path: '/payments', json: pay({ amount: '50000' }), status: 400, code: 'INVALID_FIELD', field: 'amount' },
    { name: 'payments: amount negative', method: 'POST', path: '/payments', json: pay({ amount: -50_000 }), status: 400, code: 'INVALID_FIELD', field: 'amount' },
    { name: 'payments: amount zero', method: 'POST', path: '/payments', json: pay({ amount: 0 }), status: 400, code: 'INVALID_FIELD', field: 'amount' },
    { name: 'payments: amount too large', method: 'POST', path: '/payments', json: pay({ amount: 1e12 }), status: 400, code: 'INVALID_FIELD', field: 'amount' },
    { name: "payments: amount not the seat's price", method: 'POST', path: '/payments', json: pay({ amount: 1 }), status: 400, code: 'AMOUNT_MISMATCH', field: 'amount' },
    { name: 'payments: userId a boolean', method: 'POST', path: '/payments', json: pay({ userId: false }), status: 400, code: 'INVALID_FIELD', field: 'userId' },
    { name: 'payments: unknown extra field', method: 'POST', path: '/payments', json: pay({ currency: 'EUR' }), status: 400, code: 'INVALID_FIELD', field: 'currency' },
    { name: 'payments: unknown hold', method: 'POST', path: '/payments', json: pay({ holdId: unknownUuid }), status: 404, code: 'HOLD_NOT_FOUND', field: 'holdId' },
    { name: 'payments: malformed JSON', method: 'POST', path: '/payments', raw: '{"paymentTxId":', status: 400, code: 'INVALID_JSON' },
    { name: 'payments: empty body', method: 'POST', path: '/payments', raw: '', status: 400, code: 'INVALID_JSON' },
    { name: 'payments: 20 KiB body', method: 'POST', path: '/payments', raw: oversized, status: 413, code: 'BODY_TOO_LARGE' },
    { name: 'payments: text/plain', method: 'POST', path: '/payments', raw: JSON.stringify(pay({})), contentType: 'text/plain', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
    { name: 'payments: holdSecret a number', method: 'POST', path: '/payments', json: pay({ holdSecret: 42 }), status: 400, code: 'INVALID_FIELD', field: 'holdSecret' },
    { name: 'payments: holdSecret missing', method: 'POST', path: '/payments', json: payNoSecret, ...secretError, message: /holdSecret is required.*POST \/holds/ },
    { name: 'payments: holdSecret empty', method: 'POST', path: '/payments', json: pay({ holdSecret: '' }), ...secretError },
    { name: 'payments: holdSecret wrong', method: 'POST', path: '/payments', json: pay({ holdSecret: wrongSecret }), ...secretError, message: /does not match/ },
    { name: "payments: another hold's holdSecret", method: 'POST', path: '/payments', json: pay({ holdSecret: paid.holdSecret }), ...secretError },
    {
      name: "payments: the stored hash (a database reader's copy) as holdSecret",
      method: 'POST',
      path: '/payments',
      json: pay({ holdSecret: createHash('sha256').update(String(holdSecret)).digest('hex') }),
      ...secretError,
    },
    { name: 'payments: a repeat of a paid paymentTxId, no holdSecret', method: 'POST', path: '/payments', json: replay, ...secretError },
    { name: "payments: a repeat of a paid paymentTxId, another hold's holdSecret", method: 'POST', path: '/payments', json: { ...replay, holdSecret }, ...secretError },
    {
      name: 'payments: a hold made before hold secrets',
      method: 'POST',
      path: '/payments',
      json: pay({ holdId: oldHold.holdId, userId: oldHold.userId, holdSecret: oldHold.holdSecret }),
      ...secretError,
      message: /hold the seat again/,
    },

    // GET /payments/:id and /holds/:id
    { name: 'get payment: id not a UUID', method: 'GET', path: '/payments/not-a-uuid', status: 400, code: 'INVALID_FIELD', field: 'paymentTxId' },
    { name: 'get payment: SQL as id', method: 'GET', path: `/payments/${encodeURIComponent("1' OR '1'='1")}`, status: 400, code: 'INVALID_FIELD', field: 'paymentTxId' },
    { name: 'get payment: UUID too long', method: 'GET', path: `/payments/${unknownUuid}0`, status: 400, code: 'INVALID_FIELD', field: 'paymentTxId' },
    { name: 'get payment: unknown', method: 'GET', path: `/payments/${unknownUuid}`, status: 404, code: 'PAYMENT_NOT_FOUND' },
    { name: 'get hold: id not a UUID', method: 'GET', path: '/holds/12', status: 400, code: 'INVALID_FIELD', field: 'holdId' },
    { name: 'get hold: unknown', method: 'GET', path: `/holds/${unknownUuid}`, status: 404, code: 'HOLD_NOT_FOUND' },

    // POST /payments/:id/cancel
    { name: 'cancel: id not a UUID', method: 'POST', path: '/payments/abc/cancel', json: { userId: 'holder' }, status: 400, code: 'INVALID_FIELD', field: 'paymentTxId' },
    { name: 'cancel: userId missing', method: 'POST', path: `/payments/${unknownUuid}/cancel`, json: {}, status: 400, code: 'INVALID_FIELD', field: 'userId' },
    { name: 'cancel: userId a number', method: 'POST', path: `/payments/${unknownUuid}/cancel`, json: { userId: 7 }, status: 400, code: 'INVALID_FIELD', field: 'userId' },
    { name: 'cancel: unknown extra field', method: 'POST', path: `/payments/${unknownUuid}/cancel`, json: { userId: 'holder', refund: 'all' }, status: 400, code: 'INVALID_FIELD', field: 'refund' },
    { name: 'cancel: malformed JSON', method: 'POST', path: `/payments/${unknownUuid}/cancel`, raw: '{userId: holder}', status: 400, code: 'INVALID_JSON' },
    { name: 'cancel: 20 KiB body', method: 'POST', path: `/payments/${unknownUuid}/cancel`, raw: oversized, status: 413, code: 'BODY_TOO_LARGE' },
    { name: 'cancel: unknown payment', method: 'POST', path: `/payments/${unknownUuid}/cancel`, json: { userId: 'holder', holdSecret }, status: 404, code: 'PAYMENT_NOT_FOUND' },
    { name: 'cancel: holdSecret a number', method: 'POST', path: cancelPaid, json: { userId: paid.userId, holdSecret: 42 }, status: 400, code: 'INVALID_FIELD', field: 'holdSecret' },
    { name: 'cancel: holdSecret missing', method: 'POST', path: cancelPaid, json: { userId: paid.userId }, ...secretError, message: /holdSecret is required.*POST \/holds/ },
    { name: 'cancel: holdSecret wrong', method: 'POST', path: cancelPaid, json: { userId: paid.userId, holdSecret: wrongSecret }, ...secretError, message: /does not match/ },
    { name: "cancel: another hold's holdSecret", method: 'POST', path: cancelPaid, json: { userId: paid.userId, holdSecret }, ...secretError },

    // GET /seats
    { name: 'seats: concertId missing', method: 'GET', path: '/seats', status: 400, code: 'INVALID_FIELD', field: 'concertId' },
    { name: 'seats: concertId not a number', method: 'GET', path: '/seats?concertId=abc', status: 400, code: 'INVALID_FIELD', field: 'concertId' },
    { name: 'seats: concertId negative', method: 'GET', path: '/seats?concertId=-1', status: 400, code: 'INVALID_FIELD', field: 'concertId' },
    { name: 'seats: concertId with SQL', method: 'GET', path: `/seats?concertId=${encodeURIComponent(`${concertId} OR 1=1`)}`, status: 400, code: 'INVALID_FIELD', field: 'concertId' },
    { name: 'seats: concertId twice', method: 'GET', path: `/seats?concertId=${concertId}&concertId=${concertId}`, status: 400, code: 'INVALID_FIELD', field: 'concertId' },
    { name: 'seats: unknown status', method: 'GET', path: `/seats?concertId=${concertId}&status=FREE`, status: 400, code: 'INVALID_FIELD', field: 'status' },
    { name: 'seats: unknown parameter', method: 'GET', path: `/seats?concertId=${concertId}&limit=5`, status: 400, code: 'INVALID_FIELD', field: 'limit' },
  ];
}

test('bad input: every malformed request answers a fast 4xx JSON error naming the field; nothing reaches the database', { timeout: 300_000 }, async (t) => {
  const { concertId, seatIds } = await freshConcert(2);
  const [freeSeat, heldSeat] = seatIds as [number, number];
  const held = await hold(heldSeat, 'holder');
  const paid = await paidSeat();
  const old = await freshConcert(1);
  const oldHold = await hold(old.seatIds[0]!, 'old-holder');
  await sql('UPDATE holds SET secret_hash = NULL WHERE id = ?', [oldHold.holdId]); // as made before migration 009
  const ids: Ids = { freeSeat, heldSeat, holdId: held.holdId, holdSecret: held.holdSecret, concertId, txIds: [], paid, oldHold };
  const cases = matrix(ids);
  const sentSecrets = [held.holdSecret, paid.holdSecret, oldHold.holdSecret];

  for (const [i, c] of cases.entries()) {
    await t.test(c.name, async () => {
      const r = await send(c, anyInstance(i));
      const where = `${c.method} ${c.path.slice(0, 80)} answered ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`;
      assert.ok(r.status < 500, where);
      assert.equal(r.status, c.status, where);
      assert.match(r.contentType ?? '', /^application\/json/, where);
      assert.equal(typeof r.body?.error?.message, 'string', where);
      assert.ok(r.body.error.message.length > 0, where);
      assert.equal(r.body.error.code, c.code, where);
      if (c.field !== undefined) assert.equal(r.body.error.field, c.field, where);
      if (c.message !== undefined) assert.match(r.body.error.message, c.message, where);
      for (const secret of sentSecrets) assert.ok(!JSON.stringify(r.body).includes(secret), `no error echoes a hold secret: ${where}`);
      const extraKeys = Object.keys(r.body).filter((k) => k !== 'error');
      assert.deepEqual(extraKeys, [], `only {error} in the body: ${where}`);
      assert.ok(r.ms < 2000, `answered in ${Math.round(r.ms)} ms: ${where}`);
    });
  }

  // The held seat keeps its one hold; the free seat was never touched; no payment, event or
  // outbox row exists for any paymentTxId or hold used above.
  const holdsRows = await sql('SELECT seat_id, id, status FROM holds WHERE seat_id IN (?)', [seatIds]);
  assert.deepEqual(
    holdsRows.map((r) => [Number(r.seat_id), r.id, r.status]),
    [[heldSeat, held.holdId, 'ACTIVE']],
  );
  const seats = await sql('SELECT id, status, hold_id FROM seats WHERE id IN (?) ORDER BY id', [seatIds]);
  assert.deepEqual(
    seats.map((r) => [Number(r.id), r.status, r.hold_id]),
    [
      [freeSeat, 'AVAILABLE', null],
      [heldSeat, 'HELD', held.holdId],
    ].sort((a, b) => (a[0] as number) - (b[0] as number)),
  );
  assert.ok(ids.txIds.length > 10);
  const payments = await sql('SELECT COUNT(*) AS n FROM payment_transactions WHERE payment_tx_id IN (?) OR hold_id = ?', [ids.txIds, held.holdId]);
  assert.equal(Number(payments[0]!.n), 0, 'no payment row was written');
  const outbox = await sql('SELECT COUNT(*) AS n FROM outbox WHERE message_key IN (?)', [ids.txIds]);
  assert.equal(Number(outbox[0]!.n), 0, 'no outbox row was written');
  const events = await sql('SELECT COUNT(*) AS n FROM event_store WHERE aggregate_id IN (?)', [ids.txIds]);
  assert.equal(Number(events[0]!.n), 0, 'no event was stored');

  // The refused cancels and repeats changed nothing of the paid seat, nor of the old hold.
  const [paidRow] = await sql('SELECT status FROM payment_transactions WHERE payment_tx_id = ?', [paid.paymentTxId]);
  assert.equal(paidRow!.status, 'SUCCESS', 'the paid payment is still SUCCESS');
  const cancelEvents = await sql("SELECT COUNT(*) AS n FROM event_store WHERE aggregate_id = ? AND event_type = 'PaymentCancelRequested'", [paid.paymentTxId]);
  assert.equal(Number(cancelEvents[0]!.n), 0, 'no PaymentCancelRequested was recorded');
  const cancelOutbox = await sql("SELECT COUNT(*) AS n FROM outbox WHERE message_key = ? AND topic = 'payment.cancel'", [paid.paymentTxId]);
  assert.equal(Number(cancelOutbox[0]!.n), 0, 'no payment.cancel outbox row');
  assert.equal(Number((await sql('SELECT COUNT(*) AS n FROM payment_transactions WHERE hold_id = ?', [oldHold.holdId]))[0]!.n), 0, 'the old hold has no payment');
  assert.equal((await sql('SELECT status FROM holds WHERE id = ?', [oldHold.holdId]))[0]!.status, 'ACTIVE');
});
