import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../../lib/errors.ts';
import { newEnvelope } from '../../../contracts/envelope.ts';
import { matches, parsePosition, replayHeaders, replaySkipReason, toView, type RawDlqMessage } from './dlq-message.ts';

const env = newEnvelope('PaymentRequested', '3be2b759-1905-4e23-abcb-c9eb0bb04701', 1, { amount: 5 });
const msg = (value: string | null, extra: Record<string, string> = {}): RawDlqMessage => ({
  partition: 2,
  offset: '17',
  timestamp: String(Date.parse('2026-11-25T10:00:00.000Z')),
  key: Buffer.from('k1'),
  value: value === null ? null : Buffer.from(value),
  headers: {
    'event-id': env.eventId,
    'dlq-original-topic': 'payment.try',
    'dlq-original-partition': '1',
    'dlq-original-offset': '99',
    'dlq-error': 'UnprocessableEventError: payment x does not exist',
    'dlq-attempts': '1',
    'dlq-failed-at': '2026-11-25T10:00:00.100Z',
    'dlq-consumer': 'svc-3001',
    ...extra,
  },
});

test('a dead letter read from its headers and envelope', () => {
  const v = toView(msg(JSON.stringify(env)), new Map());
  assert.equal(v.id, '2:17');
  assert.deepEqual([v.originalTopic, v.originalPartition, v.originalOffset, v.attempts, v.consumer], ['payment.try', 1, '99', 1, 'svc-3001']);
  assert.deepEqual([v.eventId, v.eventType, v.paymentTxId, v.parseable, v.replayedAt], [env.eventId, 'PaymentRequested', env.paymentTxId, true, null]);
  const bad = toView(msg('{nope'), new Map([['2:17', '2026-11-25T11:00:00.000Z']]));
  assert.equal(bad.parseable, false);
  assert.match(bad.parseError!, /not JSON/);
  assert.equal(bad.replayedAt, '2026-11-25T11:00:00.000Z');
});

test('filters: original topic, time, error substring (any case), exact key', () => {
  const v = toView(msg(JSON.stringify(env)), new Map());
  assert.ok(matches(v, {}));
  assert.ok(matches(v, { topic: 'payment.try', error: 'DOES NOT exist', key: 'k1', since: new Date('2026-11-25T09:00:00Z') }));
  assert.ok(!matches(v, { topic: 'payment.retry' }));
  assert.ok(!matches(v, { since: new Date('2026-11-25T10:00:01Z') }));
  assert.ok(!matches(v, { error: 'timeout' }));
  assert.ok(!matches(v, { key: 'k' }));
});

test("replay: skipped when replayed before, unparseable or not the saga's; headers drop dlq-* and say where from", () => {
  assert.equal(replaySkipReason(toView(msg(JSON.stringify(env)), new Map())), undefined);
  assert.match(replaySkipReason(toView(msg(JSON.stringify(env)), new Map([['2:17', 't']])))!, /already replayed/);
  assert.match(replaySkipReason(toView(msg(null), new Map()))!, /does not parse/);
  const noOrigin = msg(JSON.stringify(env));
  delete noOrigin.headers['dlq-original-topic'];
  assert.match(replaySkipReason(toView(noOrigin, new Map()))!, /no dlq-original-topic/);
  const h = replayHeaders(msg(JSON.stringify(env), { 'x-trace': 't1' }), 'payment.dlq', new Date('2026-11-25T12:00:00Z'));
  assert.deepEqual(h, { 'event-id': env.eventId, 'x-trace': 't1', 'dlq-replay-of': 'payment.dlq/2/17', 'dlq-replayed-at': '2026-11-25T12:00:00.000Z' });
});

test('positions: <partition>:<offset> or a usage error', () => {
  assert.deepEqual(parsePosition('1:42'), { partition: 1, offset: '42' });
  for (const bad of ['1', '1:', 'a:1', '1:-2', '']) assert.throws(() => parsePosition(bad), UsageError, bad);
});
