import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cancelPlan, type CancelTarget } from './cancel-plan.ts';

const target: CancelTarget = { paymentTxId: 'p-1', userId: 'u-1', seatId: 7, holdId: 'h-1', amount: 50_000, status: 'SUCCESS', holdHasSecret: false, cancelRequested: false };

test('cancel plan: a SUCCESS payment gets two steps, the refund of what is left of each charge, and why the customer could not', () => {
  const plan = cancelPlan(
    target,
    [
      { chargeId: 3, left: 50_000 },
      { chargeId: 4, left: 0 },
    ],
    'ticket 1',
  );
  assert.equal(plan.steps.length, 2);
  assert.deepEqual(plan.data.charges, [{ chargeId: 3, left: 50_000 }], 'a charge refunded already is not planned');
  assert.equal(plan.data.refundTotal, 50_000);
  assert.match(plan.steps[0]!, /reason "ticket 1"/);
  assert.match(plan.steps[1]!, /charge 3 \(50000\)/);
  assert.match(plan.notes![0]!, /before hold secrets existed/);
  assert.equal(plan.rollback, undefined, 'a refund has no undo');
});

test('cancel plan: nothing to do for a payment that is not SUCCESS, or whose cancel is recorded already', () => {
  for (const t of [
    { ...target, status: 'CANCELLED' },
    { ...target, status: 'PENDING' },
    { ...target, cancelRequested: true },
  ]) {
    const plan = cancelPlan(t, [], 'ticket 1');
    assert.deepEqual(plan.steps, []);
    assert.match(plan.title, t.cancelRequested ? /already recorded/ : new RegExp(`is ${t.status}`));
  }
  assert.doesNotMatch(cancelPlan({ ...target, holdHasSecret: true }, [], 'x').notes!.join(' '), /before hold secrets/);
});
