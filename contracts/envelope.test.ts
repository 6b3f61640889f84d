import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENT_TYPES, InvalidEnvelopeError, newEnvelope, parseEnvelope } from './envelope.ts';

const valid = () => newEnvelope(EVENT_TYPES.paymentRequested, '3be2b759-1905-4e23-abcb-c9eb0bb04701', 1, { amount: 5 });

test('a new envelope round-trips through parse', () => {
  const e = valid();
  assert.deepEqual(parseEnvelope(Buffer.from(JSON.stringify(e))), e);
});

test('poison messages are rejected with the reason (they go to the DLQ)', () => {
  const bad: Array<[string, string | null, RegExp]> = [
    ['empty', '', /empty/],
    ['null value', null, /empty/],
    ['not JSON', '{nope', /not JSON/],
    ['array', '[]', /not a JSON object/],
    ['no event id', JSON.stringify({ ...valid(), eventId: 'x' }), /eventId/],
    ['unknown type', JSON.stringify({ ...valid(), type: 'Boom' }), /type must be one of/],
    ['bad paymentTxId', JSON.stringify({ ...valid(), paymentTxId: '1' }), /paymentTxId/],
    ['negative attempt', JSON.stringify({ ...valid(), attempt: -1 }), /attempt/],
    ['bad time', JSON.stringify({ ...valid(), occurredAt: 'yesterday' }), /occurredAt/],
    ['data not object', JSON.stringify({ ...valid(), data: 3 }), /data/],
  ];
  for (const [what, raw, reason] of bad) {
    assert.throws(
      () => parseEnvelope(raw === null ? null : Buffer.from(raw)),
      (err) => err instanceof InvalidEnvelopeError && reason.test(err.message),
      what,
    );
  }
});
