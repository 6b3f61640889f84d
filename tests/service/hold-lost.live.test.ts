import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { cleanGatewayAndBreakers, freshConcert, gateway, hold, serviceDb, sql, waitForFinal } from '../helpers/service.ts';
import { events, holdStatus, ledgerRows, pay, payBody, paymentRow, seatRow, user } from '../helpers/payment-records.ts';
import { waitFor } from '../../lib/index.ts';

// A SUCCESS always owns its seat (issue #10): a payment whose hold is lost while its charge
// is in flight (here the test takes the hold away the way an interleaving sweeper or an
// operator could) is refunded and ends FAILED with HOLD_LOST, and the seat stays with the
// hold that has it now.

before(cleanGatewayAndBreakers);

after(async () => {
  await cleanGatewayAndBreakers();
  await (await serviceDb()).end();
});

test('a charge that lands after the hold was lost is refunded and the payment FAILED (HOLD_LOST), never SUCCESS', { timeout: 180_000 }, async () => {
  const { seatIds } = await freshConcert(1);
  const seatId = seatIds[0]!;
  const userId = user();
  const h = await hold(seatId, userId);
  const paymentTxId = randomUUID();
  // Slow, but inside the service's gateway timeout: the charge succeeds, later.
  await gateway.setKnobs({ latencyMs: 2000 });
  let rival;
  try {
    assert.equal((await pay(payBody(paymentTxId, h, userId))).status, 202);
    // The saga charges without looking at the hold (its check is under the row locks when the
    // outcome is recorded), so taking the hold away now means it is lost while the charge is in flight.
    await sql("UPDATE holds SET status = 'EXPIRED' WHERE id = ?", [h.holdId]);
    await sql("UPDATE seats SET status = 'AVAILABLE', hold_id = NULL WHERE id = ?", [seatId]);
    rival = await hold(seatId, user());
  } finally {
    await gateway.setKnobs({ latencyMs: 0 });
  }
  const final = await waitForFinal(paymentTxId, 90_000);
  assert.equal(final.status, 'FAILED', JSON.stringify(final));
  assert.match(String((await paymentRow(paymentTxId))!.failure_reason), /HOLD_LOST/);
  const seat = await seatRow(seatId);
  assert.deepEqual(seat, { status: 'HELD', holdId: rival.holdId }, 'the seat stays with the hold that has it');
  assert.equal(await holdStatus(rival.holdId), 'ACTIVE');
  const { charges } = await ledgerRows(paymentTxId);
  assert.equal(charges.filter((c) => c.status === 'CHARGED').length, 1, 'the charge landed');
  const { refunds } = await waitFor(
    async () => {
      const l = await ledgerRows(paymentTxId);
      return l.refunds.length > 0 ? l : undefined;
    },
    { timeoutMs: 60_000, what: 'the charge to be refunded' },
  );
  assert.equal(refunds.length, 1, 'refunded once');
  assert.ok(!(await events(paymentTxId)).some((e) => e.type === 'PaymentSucceeded'), 'no PaymentSucceeded recorded');
});
