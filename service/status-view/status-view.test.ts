import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { EVENT_TYPES, TOPICS, newEnvelope, type EventType } from '../../contracts/index.ts';
import { createStatusView } from './status-view.ts';

// The status view's mapping, ordering and bound (status-view.ts), offline.

const at = (s: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, s)).toISOString();
const ev = (type: EventType, id: string, s: number, data: Record<string, unknown> = {}) => ({ ...newEnvelope(type, id, 1, data), occurredAt: at(s) });

test('each topic maps to its status; the latest event wins even when it arrives first', () => {
  const v = createStatusView();
  const id = randomUUID();
  assert.equal(v.apply(TOPICS.paymentTry, ev(EVENT_TYPES.paymentRequested, id, 1, { seatId: 7, holdId: 'h' })), true);
  assert.equal(v.get(id)?.status, 'PENDING');
  v.apply(TOPICS.paymentRetry, ev(EVENT_TYPES.paymentRetryScheduled, id, 2));
  assert.equal(v.get(id)?.status, 'PENDING');
  v.apply(TOPICS.paymentSuccess, ev(EVENT_TYPES.paymentSucceeded, id, 3));
  assert.deepEqual(v.get(id), { status: 'SUCCESS', asOf: at(3), eventType: 'PaymentSucceeded', seatId: 7, holdId: 'h' });
  // A redelivered or late-read older event changes nothing.
  assert.equal(v.apply(TOPICS.paymentRetry, ev(EVENT_TYPES.paymentRetryScheduled, id, 2)), false);
  assert.equal(v.get(id)?.status, 'SUCCESS');
  v.apply(TOPICS.paymentCancel, ev(EVENT_TYPES.paymentCancelRequested, id, 4));
  assert.equal(v.get(id)?.status, 'CANCELLING');

  const other = randomUUID();
  v.apply(TOPICS.paymentFailure, ev(EVENT_TYPES.paymentFailed, other, 5));
  v.apply(TOPICS.paymentTry, ev(EVENT_TYPES.paymentRequested, other, 1)); // read after its outcome
  assert.equal(v.get(other)?.status, 'FAILED');
  // An operator's reprocess publishes a new try, later than the failure: pending again.
  v.apply(TOPICS.paymentTry, ev(EVENT_TYPES.paymentReprocessRequested, other, 6));
  assert.equal(v.get(other)?.status, 'PENDING');
});

test('equal times: the later saga step wins; an event type foreign to its topic is ignored', () => {
  const v = createStatusView();
  const id = randomUUID();
  v.apply(TOPICS.paymentSuccess, ev(EVENT_TYPES.paymentSucceeded, id, 1));
  assert.equal(v.apply(TOPICS.paymentTry, ev(EVENT_TYPES.paymentRequested, id, 1)), false);
  assert.equal(v.get(id)?.status, 'SUCCESS');
  assert.equal(v.apply(TOPICS.paymentSuccess, ev(EVENT_TYPES.paymentCancelRequested, id, 9)), false);
  assert.equal(v.apply(TOPICS.paymentDlq, ev(EVENT_TYPES.paymentRequested, id, 9)), false);
  assert.equal(v.get(id)?.status, 'SUCCESS');
  assert.equal(v.get(randomUUID()), undefined);
});

test('at most maxEntries payments, the least recently updated evicted first', () => {
  const v = createStatusView(3);
  const ids = Array.from({ length: 4 }, () => randomUUID());
  for (const [i, id] of ids.slice(0, 3).entries()) v.apply(TOPICS.paymentTry, ev(EVENT_TYPES.paymentRequested, id, i));
  v.apply(TOPICS.paymentSuccess, ev(EVENT_TYPES.paymentSucceeded, ids[0]!, 10)); // ids[0] is now the most recent
  v.apply(TOPICS.paymentTry, ev(EVENT_TYPES.paymentRequested, ids[3]!, 11));
  assert.equal(v.size(), 3);
  assert.equal(v.get(ids[1]!), undefined, 'the least recently updated went');
  assert.equal(v.get(ids[0]!)?.status, 'SUCCESS');
  assert.ok(v.get(ids[2]!) && v.get(ids[3]!));
});
