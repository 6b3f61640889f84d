import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reprocessPlan, skipReason, type ReprocessCandidate } from './reprocess-plan.ts';

const base: ReprocessCandidate = {
  paymentTxId: 'p1',
  userId: 'u',
  seatId: 5,
  holdId: 'h1',
  amount: 100,
  status: 'FAILED',
  attempts: 4,
  failureReason: 'CARD_DECLINED',
  createdAt: '2026-11-25T10:00:00.000Z',
  updatedAt: '2026-11-25T10:00:05.000Z',
  holdStatus: 'RELEASED',
  seatStatus: 'AVAILABLE',
  seatHoldId: null,
  liveHoldOnSeat: null,
  rounds: 0,
};
const o = { window: { since: 'a', until: 'b' }, statuses: ['FAILED'], allowRepeat: false, timeoutSeconds: 60 };

test('a failed payment whose seat is free is revived with a fresh key per round', () => {
  const plan = reprocessPlan([base], o);
  assert.equal(plan.data.reprocess[0]!.chargeKey, 'p1:reprocess-1');
  assert.equal(plan.data.reprocess[0]!.round, 1);
  assert.equal(plan.steps.length, 2, 'one step per payment and the wait');
  const again = reprocessPlan([{ ...base, rounds: 2 }], { ...o, allowRepeat: true });
  assert.equal(again.data.reprocess[0]!.chargeKey, 'p1:reprocess-3');
});

test('a seat taken by someone else since, a gone or cancelled hold, or an earlier round: skipped with the reason', () => {
  assert.match(skipReason({ ...base, liveHoldOnSeat: 'h2', seatStatus: 'SOLD', seatHoldId: 'h2' }, false)!, /taken by hold h2/);
  assert.match(skipReason({ ...base, seatStatus: 'HELD', seatHoldId: 'h9' }, false)!, /seat 5 is HELD under hold h9/);
  assert.match(skipReason({ ...base, holdStatus: null }, false)!, /no longer exists/);
  assert.match(skipReason({ ...base, holdStatus: 'CANCELLED' }, false)!, /CANCELLED/);
  assert.match(skipReason({ ...base, rounds: 1 }, false)!, /--again/);
  assert.equal(skipReason({ ...base, holdStatus: 'ACTIVE', seatStatus: 'HELD', seatHoldId: 'h1', liveHoldOnSeat: 'h1' }, false), undefined, 'its own hold still live');
  const plan = reprocessPlan([{ ...base, liveHoldOnSeat: 'h2', seatStatus: 'SOLD' }], o);
  assert.equal(plan.steps.length, 0, 'nothing to do');
  assert.equal(plan.data.skipped[0]!.paymentTxId, 'p1');
  assert.ok(plan.notes!.some((n) => /skip p1/.test(n)));
});
