import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildReport, groupDuplicates, type OrphanCharge } from './duplicate-report.ts';
import { refundPlan } from './refund-plan.ts';

const w = { since: '2026-11-25T10:00:00.000Z', until: '2026-11-25T11:00:00.000Z' };
const pay = (id: string, t: string, chargeId: number) => ({ paymentTxId: id, userId: 'u', seatId: 3, amount: 100, createdAt: t, updatedAt: t, gatewayChargeId: chargeId, ownsSeat: false });
const orphan: OrphanCharge = { chargeId: 9, paymentTxId: 'ghost', amount: 70, currency: 'KRW', createdAt: w.since, paymentStatus: null, why: 'no payment' };
const report = buildReport(groupDuplicates([pay('a', '2026-11-25T10:00:00.000Z', 1), pay('b', '2026-11-25T10:00:01.000Z', 2)]), [orphan], 0);

test('each later duplicate gets a refund per unrefunded charge, keyed by the charge (the one key the service ever refunds it with)', () => {
  const plan = refundPlan(report, new Map([['b', [{ chargeId: 2, amount: 100, refunded: false }]]]), w, false, '');
  assert.equal(plan.data.duplicates.length, 1);
  const d = plan.data.duplicates[0]!;
  assert.equal(d.paymentTxId, 'b');
  assert.equal(d.keptPaymentTxId, 'a');
  assert.deepEqual(d.refunds, [{ chargeId: 2, amount: 100, idempotencyKey: 'refund-2' }]);
  assert.equal(plan.data.totalRefund, 100);
  assert.equal(plan.steps.length, 1, 'orphans are not a step without --include-orphans');
  assert.equal(plan.data.orphans[0]!.action, 'list-only');
  assert.ok(plan.notes!.some((n) => /--include-orphans/.test(n)));
});

test('--include-orphans adds a refund step per orphan; a charge already refunded is only marked', () => {
  const plan = refundPlan(report, new Map([['b', [{ chargeId: 2, amount: 100, refunded: true }]]]), w, true, '');
  assert.deepEqual(plan.data.duplicates[0]!.refunds, []);
  assert.deepEqual(plan.data.duplicates[0]!.alreadyRefunded, [2]);
  assert.equal(plan.data.orphans[0]!.action, 'refund');
  assert.equal(plan.data.orphans[0]!.idempotencyKey, 'refund-9');
  assert.equal(plan.steps.length, 2);
  assert.equal(plan.data.totalRefund, 70);
});

test('nothing found: no steps, so the mutation reports nothing to do', () => {
  assert.equal(refundPlan(buildReport([], [], 0), new Map(), w, true, '').steps.length, 0);
});
