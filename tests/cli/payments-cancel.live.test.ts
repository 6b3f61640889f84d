import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { paidSeat } from '../helpers/payment-records.ts';
import { call, gateway, instanceUrl, sql } from '../helpers/service.ts';
import { parseJson, scratch } from './helpers.ts';

// `ticketctl payments cancel` on the real stack: a paid seat whose hold has no secret (made
// before migration 009; the secret's hash removed here to make one) cannot be cancelled by
// its customer; the operator's cancel plans it, changes nothing on a dry run, refuses
// without consent, then records the request and the saga refunds the charge and puts the
// seat back; a rerun has nothing to do.

const s = scratch('payments-cancel');
const status = async (id: string) => String((await sql('SELECT status FROM payment_transactions WHERE payment_tx_id = ?', [id]))[0]!.status);
const eventTypes = async (id: string) => (await sql('SELECT event_type FROM event_store WHERE aggregate_id = ? ORDER BY version', [id])).map((e) => String(e.event_type));

test("payments cancel: an operator cancels a payment its customer can't (no hold secret); the saga refunds it and frees the seat, once", { timeout: 180_000 }, async () => {
  const paid = await paidSeat();
  await sql('UPDATE holds SET secret_hash = NULL WHERE id = ?', [paid.holdId]);
  const refused = await call('POST', `${instanceUrl(1)}/payments/${paid.paymentTxId}/cancel`, { userId: paid.userId, holdSecret: paid.holdSecret });
  assert.equal(refused.status, 403, JSON.stringify(refused.body));
  assert.match(refused.body.error.message, /operator/);
  const args = ['payments', 'cancel', paid.paymentTxId, '--reason', 'ticket 4711: hold from before secrets'];

  const dry = await s.run([...args, '--dry-run', '-o', 'json']);
  assert.equal(dry.exitCode, 0, dry.stderr);
  const plan = parseJson(dry).plan;
  const [charge] = await gateway.getCharges(paid.paymentTxId);
  assert.deepEqual(plan.data.charges, [{ chargeId: charge!.id, left: charge!.amount }]);
  assert.equal(plan.data.refundTotal, charge!.amount);
  assert.ok(
    plan.notes.some((n: string) => /before hold secrets existed/.test(n)),
    JSON.stringify(plan.notes),
  );
  assert.equal(await status(paid.paymentTxId), 'SUCCESS');
  assert.ok(!(await eventTypes(paid.paymentTxId)).includes('PaymentCancelRequested'), 'a dry run records nothing');

  const noConsent = await s.run(args);
  assert.equal(noConsent.exitCode, 2, noConsent.stderr);
  assert.match(noConsent.stderr, /--yes/);
  assert.equal(await status(paid.paymentTxId), 'SUCCESS');

  const applied = await s.run([...args, '--yes', '-o', 'json'], {}, 120_000);
  assert.equal(applied.exitCode, 0, applied.stderr);
  assert.deepEqual(parseJson(applied).outcome, { recorded: 'requested', status: 'CANCELLED', final: true });
  assert.equal(await status(paid.paymentTxId), 'CANCELLED');
  const [seat] = await sql('SELECT status, hold_id FROM seats WHERE id = ?', [paid.seatId]);
  assert.deepEqual([seat!.status, seat!.hold_id], ['AVAILABLE', null], 'the seat is back on sale');
  const refunds = (await gateway.getCharges(paid.paymentTxId)).map((c) => [c.refundedAmount, c.refunds.length]);
  assert.deepEqual(refunds, [[charge!.amount, 1]], 'refunded in full, once');
  const [requested] = await sql("SELECT event_data FROM event_store WHERE aggregate_id = ? AND event_type = 'PaymentCancelRequested'", [paid.paymentTxId]);
  const data = JSON.parse(String(requested!.event_data));
  assert.deepEqual([data.userId, data.by, data.reason], [paid.userId, 'ticketctl payments cancel', 'ticket 4711: hold from before secrets']);
  const audit = s.audit().at(-1);
  assert.equal(audit?.result, 'ok');

  const again = await s.run([...args, '--yes', '-o', 'json']);
  assert.equal(again.exitCode, 0, again.stderr);
  assert.equal(parseJson(again).result, 'noop');
  assert.equal((await eventTypes(paid.paymentTxId)).filter((t) => t === 'PaymentCancelRequested').length, 1, 'recorded once');
});

test('payments cancel: bad ids, unknown payments, no reason exit 2 with a hint', { timeout: 60_000 }, async () => {
  const cases: Array<[string[], RegExp]> = [
    [['payments', 'cancel', 'not-a-uuid', '--reason', 'why not'], /UUID/],
    [['payments', 'cancel', randomUUID(), '--reason', 'why not', '--dry-run'], /No payment/],
    [['payments', 'cancel', randomUUID()], /--reason/],
    [['payments', 'cancel', randomUUID(), '--reason', ' '], /--reason/],
  ];
  for (const [args, message] of cases) {
    const r = await s.run(args);
    assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
  }
});
