import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { cleanGatewayAndBreakers, freshConcert, gateway, hold, serviceDb, sql, waitForFinal } from '../helpers/service.ts';
import { events, holdStatus, ledgerRows, pay, payBody, paymentRow, seatRow, user } from '../helpers/payment-records.ts';
import { waitFor } from '../../lib/index.ts';

// The payment deadline (issue #10): a payment still PENDING past its deadline is failed and
// compensated whatever happened to its events, its seat released; a charge still in flight
// then is refunded by the reconciler. The instances run with the default deadline (180 s),
// so the test moves this payment's deadline_at (a fixture write) instead of waiting.

before(cleanGatewayAndBreakers);

after(async () => {
  await cleanGatewayAndBreakers();
  await (await serviceDb()).end();
});

test('intake sets a deadline; past it a PENDING payment is FAILED (DEADLINE_EXCEEDED), its seat freed and any charge refunded', { timeout: 240_000 }, async () => {
  const { seatIds } = await freshConcert(1);
  const seatId = seatIds[0]!;
  const userId = user();
  const h = await hold(seatId, userId);
  const paymentTxId = randomUUID();
  // Every gateway call waits 20 s, so the payment stays PENDING with a charge in flight.
  await gateway.setKnobs({ latencyMs: 20_000 });
  try {
    assert.equal((await pay(payBody(paymentTxId, h, userId))).status, 202);
    const row = (await paymentRow(paymentTxId))!;
    const allowance = new Date(row.deadline_at).getTime() - new Date(row.created_at).getTime();
    assert.ok(Math.abs(allowance - 180_000) < 1000, `deadline_at is 180 s after the request by default, not ${allowance} ms`);
    // The first attempt has timed out (3 s) while the gateway still holds its request (20 s):
    // a charge is in flight. Now the deadline passes.
    await waitFor(async () => (Number((await paymentRow(paymentTxId))!.attempts) >= 1 ? true : undefined), { timeoutMs: 30_000, intervalMs: 100, what: 'the first attempt to time out' });
    await sql('UPDATE payment_transactions SET deadline_at = NOW(3) - INTERVAL 1 SECOND WHERE payment_tx_id = ?', [paymentTxId]);
    const final = await waitForFinal(paymentTxId, 30_000);
    assert.equal(final.status, 'FAILED', JSON.stringify(final));
  } finally {
    await gateway.setKnobs({ latencyMs: 0 });
  }
  assert.match(String((await paymentRow(paymentTxId))!.failure_reason), /^DEADLINE_EXCEEDED/);
  assert.deepEqual(await seatRow(seatId), { status: 'AVAILABLE', holdId: null }, 'the seat is on sale again');
  assert.equal(await holdStatus(h.holdId), 'RELEASED');
  const failed = (await events(paymentTxId)).filter((e) => e.type === 'PaymentFailed');
  assert.equal(failed.length, 1);
  assert.equal(failed[0]!.data.giveUp, 'deadline');
  // The attempt that was in flight lands at the gateway later; the reconciler refunds it.
  await waitFor(
    async () => {
      const { charges, refunds } = await ledgerRows(paymentTxId);
      const charged = charges.filter((c) => c.status === 'CHARGED');
      return charged.length > 0 && charged.every((c) => refunds.some((r) => Number(r.charge_id) === Number(c.id))) ? true : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 1000, what: 'the in-flight charge to land and be refunded' },
  );
  assert.equal((await paymentRow(paymentTxId))!.status, 'FAILED', 'a late charge does not revive it');
});
