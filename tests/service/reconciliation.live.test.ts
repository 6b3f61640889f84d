import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { call, cleanGatewayAndBreakers, freshConcert, gateway, hold, instanceUrl, serviceDb, sql, waitForFinal } from '../helpers/service.ts';
import { ledgerRows, pay, payBody, user } from '../helpers/payment-records.ts';
import { waitFor } from '../../lib/index.ts';
import { refunderFor } from '../../service/index.ts';

// Reconciliation and the one refund path (issue #10), against the running instances and the
// gateway stand-in: a charge the gateway records after the service gave up on it is refunded
// within the documented bound, and a processor that would accept a second refund of a charge
// never gets one, whoever asks. Every check reads the gateway's ledger or the service's
// database, never the service's answers alone.

/** docs/service.md: every charge of a payment that is not SUCCESS is refunded within this long. */
const RECONCILE_BOUND_MS = 60_000;

before(cleanGatewayAndBreakers);

after(async () => {
  await cleanGatewayAndBreakers();
  await (await serviceDb()).end();
});

describe('reconciliation', () => {
  test('a charge the gateway records after the payment FAILED is refunded within the bound, through the service refund record', { timeout: 300_000 }, async () => {
    const { seatIds } = await freshConcert(1);
    const userId = user();
    const h = await hold(seatIds[0]!, userId);
    const paymentTxId = randomUUID();
    // Slower than the whole retry schedule (1 + 3 attempts of 3 s with backoff): the service
    // gives up and compensates before the gateway has recorded anything.
    await gateway.setKnobs({ latencyMs: 40_000 });
    try {
      assert.equal((await pay(payBody(paymentTxId, h, userId))).status, 202);
      const final = await waitForFinal(paymentTxId, 120_000);
      assert.equal(final.status, 'FAILED', JSON.stringify(final));
      assert.equal((await ledgerRows(paymentTxId)).charges.length, 0, 'nothing charged yet when the service gave up');
    } finally {
      // Refunds from now on answer at once; the charge requests already waiting at the gateway still land.
      await cleanGatewayAndBreakers();
    }
    const charge = await waitFor(async () => (await ledgerRows(paymentTxId)).charges.find((c) => c.status === 'CHARGED'), { timeoutMs: 90_000, intervalMs: 500, what: 'the late charge to land at the gateway' });
    const landedAt = Date.now();
    await waitFor(async () => (await ledgerRows(paymentTxId)).refunds.some((r) => Number(r.charge_id) === Number(charge.id)), {
      timeoutMs: RECONCILE_BOUND_MS + 15_000,
      intervalMs: 500,
      what: `the late charge ${charge.id} to be refunded`,
    });
    assert.ok(Date.now() - landedAt <= RECONCILE_BOUND_MS + 5_000, `refunded ${Date.now() - landedAt} ms after the charge landed (bound ${RECONCILE_BOUND_MS} ms)`);
    const [record] = await sql('SELECT reason, status, idempotency_key FROM payment_refunds WHERE charge_id = ?', [charge.id]);
    assert.equal(record?.reason, 'reconciliation', 'the reconciler claimed it');
    await waitFor(async () => ((await sql('SELECT status FROM payment_refunds WHERE charge_id = ?', [charge.id]))[0]?.status === 'REFUNDED' ? true : undefined), {
      timeoutMs: 30_000,
      what: 'the refund record to be REFUNDED',
    });
    const { refunds } = await ledgerRows(paymentTxId);
    assert.equal(refunds.length, 1, 'refunded once');
    assert.equal(Number(refunds[0]!.amount), Number(charge.amount), 'in full');
  });

  test('a processor that accepts several refunds per charge still refunds a charge once: every caller uses the service record and its key', { timeout: 300_000 }, async () => {
    await gateway.setKnobs({ refundPolicy: 'unchecked' });
    const { seatIds } = await freshConcert(1);
    const userId = user();
    const h = await hold(seatIds[0]!, userId);
    const paymentTxId = randomUUID();
    assert.equal((await pay(payBody(paymentTxId, h, userId))).status, 202);
    assert.equal((await waitForFinal(paymentTxId)).status, 'SUCCESS');
    assert.equal((await call('POST', `${instanceUrl(1)}/payments/${paymentTxId}/cancel`, { userId, holdSecret: h.holdSecret })).status, 202);
    assert.equal((await waitForFinal(paymentTxId, 90_000, (s) => s === 'CANCELLED')).status, 'CANCELLED');
    const [charge] = (await ledgerRows(paymentTxId)).charges;
    // The other callers of the refund path ask again, concurrently: ticketctl's refund of a
    // duplicate and the reconciler's, as a second saga instance or a rerun after a crash would.
    const pool = await serviceDb();
    const refunder = refunderFor({ pool, acquireTimeoutMs: 5000 }, gateway);
    const asked = { id: Number(charge!.id), paymentTxId, amount: Number(charge!.amount), refundedAmount: 0, status: 'CHARGED' as const };
    const results = await Promise.all([refunder.refund(asked, 'duplicate', 'test'), refunder.refund(asked, 'reconciliation', 'test'), refunder.refund(asked, 'cancellation', 'test')]);
    for (const r of results) assert.equal(r.outcome, 'refunded', JSON.stringify(r));
    const { refunds } = await ledgerRows(paymentTxId);
    assert.equal(refunds.length, 1, `one refund at a gateway that would take more: ${JSON.stringify(refunds)}`);
    const records = await sql('SELECT reason, status FROM payment_refunds WHERE charge_id = ?', [charge!.id]);
    assert.deepEqual(
      records.map((r) => [r.reason, r.status]),
      [['cancellation', 'REFUNDED']],
      'one record, the first reason',
    );
  });
});
