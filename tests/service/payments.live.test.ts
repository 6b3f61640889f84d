import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { RowDataPacket } from 'mysql2/promise';
import { anyInstance, call, freshConcert, gateway, gatewayDb, hold, instanceUrl, serviceDb, sql, waitForFinal, withGatewayKnobs } from '../helpers/service.ts';
import { DEFAULT_SERVICE_INSTANCES } from '../../contracts/topology.ts';

// The payment API against the running instances (issue: pay, poll, repeat, cancel). Every
// check reads a system of record: the service database (payment row, seat, hold, outbox,
// event store) and the gateway's ledger (charges, refunds), never the service's own answer
// alone.

const PRICE = 50_000; // freshConcert's default seat price
// Longer than the relay + consumer path takes, shorter than the service's 3 s gateway
// timeout: while the gateway is this slow, a payment is reliably still PENDING.
const SLOW_GATEWAY_MS = 1500;

const user = () => `u-${randomUUID().slice(0, 8)}`;
const payBody = (paymentTxId: string, holdId: string, userId: string, amount = PRICE) => ({ paymentTxId, holdId, userId, amount });
const pay = (body: ReturnType<typeof payBody>, instance = anyInstance()) => call('POST', `${instance}/payments`, body);

async function paymentRow(paymentTxId: string): Promise<RowDataPacket | undefined> {
  return (await sql('SELECT * FROM payment_transactions WHERE payment_tx_id = ?', [paymentTxId]))[0];
}

async function seatRow(seatId: number): Promise<{ status: string; holdId: string | null }> {
  const [r] = await sql('SELECT status, hold_id FROM seats WHERE id = ?', [seatId]);
  return { status: r!.status, holdId: r!.hold_id };
}

async function holdStatus(holdId: string): Promise<string> {
  return (await sql('SELECT status FROM holds WHERE id = ?', [holdId]))[0]!.status;
}

async function events(paymentTxId: string): Promise<Array<{ version: number; type: string; data: any }>> {
  const rows = await sql('SELECT version, event_type, event_data FROM event_store WHERE aggregate_id = ? ORDER BY version', [paymentTxId]);
  return rows.map((r) => ({ version: Number(r.version), type: r.event_type, data: JSON.parse(r.event_data) }));
}

function assertVersionsInOrder(list: Array<{ version: number }>, paymentTxId: string): void {
  assert.deepEqual(
    list.map((e) => e.version),
    list.map((_, i) => i + 1),
    `event_store versions of ${paymentTxId} must be 1..n without gaps`,
  );
}

/** Charges and refunds for one payment, straight from the gateway's ledger database. */
async function ledgerRows(paymentTxId: string): Promise<{ charges: RowDataPacket[]; refunds: RowDataPacket[] }> {
  const db = gatewayDb();
  try {
    const [charges] = await db.query<RowDataPacket[]>('SELECT id, status, amount FROM gateway_charges WHERE payment_tx_id = ? ORDER BY id', [paymentTxId]);
    const [refunds] = await db.query<RowDataPacket[]>('SELECT r.id, r.charge_id, r.amount FROM gateway_refunds r JOIN gateway_charges c ON c.id = r.charge_id WHERE c.payment_tx_id = ? ORDER BY r.id', [
      paymentTxId,
    ]);
    return { charges, refunds };
  } finally {
    await db.end();
  }
}

/** Holds a fresh seat and pays for it; returns once the payment is SUCCESS. */
async function paidSeat(): Promise<{ seatId: number; holdId: string; userId: string; paymentTxId: string }> {
  const { seatIds } = await freshConcert(1);
  const userId = user();
  const h = await hold(seatIds[0]!, userId);
  const paymentTxId = randomUUID();
  const r = await pay(payBody(paymentTxId, h.holdId, userId));
  assert.equal(r.status, 202, JSON.stringify(r.body));
  assert.equal((await waitForFinal(paymentTxId)).status, 'SUCCESS');
  return { seatId: h.seatId, holdId: h.holdId, userId, paymentTxId };
}

before(async () => {
  // Tests below rely on the default gateway behaviour: a clean slate even after an aborted run.
  await gateway.setKnobs({ latencyMs: 0, errorRate: 0, declineRate: 0, timeoutAfterChargeRate: 0 });
  for (let n = 1; n <= DEFAULT_SERVICE_INSTANCES; n++) await call('POST', `${instanceUrl(n)}/admin/breaker`, { action: 'reset' });
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

    const r = await pay(payBody(paymentTxId, h.holdId, userId), instanceUrl(1));
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
    const body = payBody(paymentTxId, h.holdId, userId);

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

    for (const changed of [payBody(paymentTxId, h.holdId, userId, PRICE + 1), payBody(paymentTxId, other.holdId, userId)]) {
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
    const body = payBody(paymentTxId, h.holdId, userId);

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

  test('a cancel repeated before the saga has cancelled is one request: one PaymentCancelRequested, one payment.cancel, one refund', { timeout: 300_000 }, async () => {
    const p = await paidSeat();
    // A burst of the same request on every instance (a retrying client, a double click):
    // each answers 202 CANCELLING while the payment is still SUCCESS, or 409 NOT_CANCELLABLE
    // once the saga has cancelled it; either way only the first one is recorded.
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => call('POST', `${instanceUrl((i % 3) + 1)}/payments/${p.paymentTxId}/cancel`, { userId: p.userId })));
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

  test('cancel a paid reservation: CANCELLED, the charge refunded, the seat free for someone else', { timeout: 300_000 }, async () => {
    const p = await paidSeat();

    const stranger = await call('POST', `${anyInstance()}/payments/${p.paymentTxId}/cancel`, { userId: user() });
    assert.equal(stranger.status, 409);
    assert.equal(stranger.body.error.code, 'PAYMENT_NOT_YOURS');

    const r = await call('POST', `${anyInstance()}/payments/${p.paymentTxId}/cancel`, { userId: p.userId });
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

    const again = await call('POST', `${anyInstance()}/payments/${p.paymentTxId}/cancel`, { userId: p.userId });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'NOT_CANCELLABLE');

    // Someone else can now hold and buy the seat.
    const userB = user();
    const hB = await hold(p.seatId, userB);
    const txB = randomUUID();
    assert.equal((await pay(payBody(txB, hB.holdId, userB))).status, 202);
    assert.equal((await waitForFinal(txB)).status, 'SUCCESS');
    assert.deepEqual(await seatRow(p.seatId), { status: 'SOLD', holdId: hB.holdId });
    assert.equal((await ledgerRows(p.paymentTxId)).refunds.length, 1, 'still one refund for the first payment');
  });

  test('a second payment for the same hold with a new paymentTxId is a 409, pending or paid', { timeout: 300_000 }, async () => {
    const { seatIds } = await freshConcert(1);
    const userId = user();
    const h = await hold(seatIds[0]!, userId);
    const paymentTxId = randomUUID();

    await withGatewayKnobs({ latencyMs: SLOW_GATEWAY_MS }, async () => {
      assert.equal((await pay(payBody(paymentTxId, h.holdId, userId))).status, 202);
      const second = await pay(payBody(randomUUID(), h.holdId, userId));
      assert.equal(second.status, 409, JSON.stringify(second.body));
      assert.equal(second.body.error.code, 'HOLD_ALREADY_PAID');
      assert.equal((await waitForFinal(paymentTxId)).status, 'SUCCESS');
    });

    const late = randomUUID();
    const third = await pay(payBody(late, h.holdId, userId));
    assert.equal(third.status, 409, JSON.stringify(third.body));
    assert.equal(third.body.error.code, 'HOLD_NOT_ACTIVE');

    assert.equal((await sql('SELECT COUNT(*) AS n FROM payment_transactions WHERE hold_id = ?', [h.holdId]))[0]!.n, 1, 'only the first payment exists');
    assert.equal(await paymentRow(late), undefined);
    assert.equal((await ledgerRows(paymentTxId)).charges.length, 1);
    assert.equal((await ledgerRows(late)).charges.length, 0);
  });
});
