import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newEnvelope } from '../../contracts/envelope.ts';
import { chargeKeyOf } from './saga.ts';

const id = '3be2b759-1905-4e23-abcb-c9eb0bb04701';

test('a try event charges under the payment id unless a reprocess round gave it its own key', () => {
  assert.equal(chargeKeyOf(newEnvelope('PaymentRequested', id, 1)), id);
  assert.equal(chargeKeyOf(newEnvelope('PaymentReprocessRequested', id, 1, { chargeKey: `${id}:reprocess-2` })), `${id}:reprocess-2`);
  assert.equal(chargeKeyOf(newEnvelope('PaymentRetryScheduled', id, 2, { chargeKey: `${id}:reprocess-2` })), `${id}:reprocess-2`, "retries keep the round's key");
});

test('a key that does not belong to the payment, or is too long for the gateway, is ignored', () => {
  assert.equal(chargeKeyOf(newEnvelope('PaymentRequested', id, 1, { chargeKey: 'someone-else:reprocess-1' })), id);
  assert.equal(chargeKeyOf(newEnvelope('PaymentRequested', id, 1, { chargeKey: `${id}:${'x'.repeat(80)}` })), id);
  assert.equal(chargeKeyOf(newEnvelope('PaymentRequested', id, 1, { chargeKey: 42 })), id);
});
