import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideCharge } from './decide.ts';
import type { GatewayCharge } from '../payments/charge-gateway.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const charge = (over: Partial<GatewayCharge> = {}): GatewayCharge => ({ id: 7, paymentTxId: 'p1', status: 'CHARGED', amount: 100, refundedAmount: 0, createdAt: new Date(NOW - 60_000).toISOString(), ...over });
const pay = (status: 'PENDING' | 'SUCCESS' | 'FAILED' | 'CANCELLED' | 'REFUNDED', gatewayChargeId: number | null = null) => ({ paymentTxId: 'p1', status, gatewayChargeId });

test('a SUCCESS payment keeps its own charge and nothing else', () => {
  assert.deepEqual(decideCharge(charge(), pay('SUCCESS', 7)), { action: 'none' });
  assert.equal(decideCharge(charge({ id: 8 }), pay('SUCCESS', 7)).action, 'refund');
});

test('every charge of a payment that ended otherwise is refunded; a PENDING one waits', () => {
  for (const s of ['FAILED', 'CANCELLED', 'REFUNDED'] as const) assert.deepEqual(decideCharge(charge(), pay(s)), { action: 'refund', why: 'not-success', detail: `payment p1 is ${s}` });
  assert.equal(decideCharge(charge(), pay('PENDING')).action, 'wait');
});

test('nothing to do for a decline or a charge refunded in full; a partial refund leaves the rest to refund', () => {
  assert.equal(decideCharge(charge({ status: 'DECLINED' }), pay('FAILED')).action, 'none');
  assert.equal(decideCharge(charge({ refundedAmount: 100 }), pay('FAILED')).action, 'none');
  assert.equal(decideCharge(charge({ refundedAmount: 40 }), pay('FAILED')).action, 'refund');
});

test('a charge naming no payment of the service is left to the operator (payments duplicates lists it), never refunded on a guess', () => {
  assert.deepEqual(decideCharge(charge(), undefined), { action: 'none' });
});
