import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildReport, findOrphans, groupDuplicates, type LedgerCharge, type SuccessPayment } from './duplicate-report.ts';

const pay = (id: string, userId: string, seatId: number, createdAt: string, chargeId: number | null = null): SuccessPayment => ({
  paymentTxId: id,
  userId,
  seatId,
  amount: 100,
  createdAt,
  updatedAt: createdAt,
  gatewayChargeId: chargeId,
  ownsSeat: false,
});
const charge = (id: number, paymentTxId: string, status: 'CHARGED' | 'DECLINED' = 'CHARGED'): LedgerCharge => ({ id, paymentTxId, amount: 100, currency: 'KRW', status, createdAt: '2026-11-25T10:00:00.000Z' });

test('the first payment of a pair is kept, later ones are duplicates; single payments are no group', () => {
  const groups = groupDuplicates([
    pay('c', 'u1', 7, '2026-11-25T10:00:02.000Z'),
    pay('a', 'u1', 7, '2026-11-25T10:00:00.000Z'),
    pay('b', 'u1', 7, '2026-11-25T10:00:01.000Z'),
    pay('x', 'u2', 7, '2026-11-25T10:00:00.000Z'),
    pay('y', 'u1', 8, '2026-11-25T10:00:00.000Z'),
  ]);
  assert.equal(groups.length, 1);
  assert.equal(groups[0]!.kept.paymentTxId, 'a');
  assert.equal(groups[0]!.kept.role, 'kept');
  assert.deepEqual(
    groups[0]!.duplicates.map((d) => [d.paymentTxId, d.role]),
    [
      ['b', 'duplicate'],
      ['c', 'duplicate'],
    ],
  );
});

test('the payment whose hold owns the seat is kept, even when a duplicate came first', () => {
  const owner = { ...pay('late', 'u', 1, '2026-11-25T10:00:05.000Z'), ownsSeat: true };
  const g = groupDuplicates([pay('early', 'u', 1, '2026-11-25T10:00:00.000Z'), owner])[0]!;
  assert.equal(g.kept.paymentTxId, 'late');
  assert.deepEqual(
    g.duplicates.map((d) => d.paymentTxId),
    ['early'],
  );
});

test('equal times order by payment id, so the choice is stable across runs', () => {
  const t = '2026-11-25T10:00:00.000Z';
  assert.equal(groupDuplicates([pay('b', 'u', 1, t), pay('a', 'u', 1, t)])[0]!.kept.paymentTxId, 'a');
});

test('orphans: charges no successful payment accounts for; refunded, declined and in-flight ones are not', () => {
  const owners = new Map([
    ['ok', { status: 'SUCCESS', gatewayChargeId: 1 }],
    ['second', { status: 'SUCCESS', gatewayChargeId: 2 }],
    ['failed', { status: 'FAILED', gatewayChargeId: null }],
    ['pending', { status: 'PENDING', gatewayChargeId: null }],
    ['unnamed', { status: 'SUCCESS', gatewayChargeId: null }],
  ]);
  const { orphans, inFlight } = findOrphans(
    [charge(1, 'ok'), charge(2, 'second'), charge(3, 'second'), charge(4, 'failed'), charge(5, 'failed'), charge(6, 'pending'), charge(7, 'ghost'), charge(8, 'ghost', 'DECLINED'), charge(9, 'unnamed')],
    new Set([5]),
    owners,
  );
  assert.deepEqual(
    orphans.map((o) => [o.chargeId, o.paymentStatus]),
    [
      [3, 'SUCCESS'],
      [4, 'FAILED'],
      [7, null],
    ],
  );
  assert.match(orphans[0]!.why, /second charge/);
  assert.equal(inFlight, 1);
});

test('the report sums duplicates and orphans and is clean only with neither', () => {
  const groups = groupDuplicates([pay('a', 'u', 1, '2026-11-25T10:00:00.000Z'), pay('b', 'u', 1, '2026-11-25T10:00:01.000Z')]);
  const r = buildReport(groups, [], 0);
  assert.deepEqual(r.summary, { pairs: 1, duplicates: 1, duplicateAmount: 100, orphanCharges: 0, orphanAmount: 0 });
  assert.equal(r.clean, false);
  assert.equal(buildReport([], [], 3).clean, true);
});
