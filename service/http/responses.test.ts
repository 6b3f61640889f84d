import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { OPENAPI_FILE, renderOpenApi } from './openapi.ts';
import { createHttpServer } from './server.ts';
import { reservationRoutes } from './routes/reservations.ts';
import { paymentRoutes } from './routes/payments.ts';
import { operationsRoutes } from './routes/operations.ts';
import { adminRoutes } from './routes/admin.ts';
import { conflict, DependencyUnavailableError, notFound, SeatTakenError, ServiceError, badRequest } from '../errors.ts';
import type { CreatedHold, Hold, Reservations } from '../reservations/holds.ts';
import type { Payment, Payments } from '../payments/transactions.ts';
import type { CheckResult, DependencyName, Health } from '../health.ts';
import type { Metrics } from '../metrics.ts';
import type { BreakerSnapshot, CircuitBreaker } from '../payments/breaker.ts';
import type { RetryPolicy } from '../payments/retry-policy.ts';
import type { Db } from '../db/connection.ts';
import { createStatusView, type StatusView } from '../status-view/status-view.ts';
import { newEnvelope } from '../../contracts/index.ts';

// What the routes send, on the real Fastify app over scripted services: the response schemas
// (which Fastify serializes with) change no byte of any answer, the poll's event-log fallback
// bodies, and the document served at GET /openapi.json. No server, no stack.

const HOLD_ID = '0b7e2a4c-1d2f-4a3b-9c8d-7e6f5a4b3c2d';
const TX_ID = '5f0c9a1e-8b7d-4c6a-9e5f-4d3c2b1a0f9e';
const HOLD: Hold = { holdId: HOLD_ID, seatId: 7, userId: 'alice', status: 'ACTIVE', lockMode: 'REDIS', expiresAt: '2030-01-01T00:05:00.000Z' };
const CREATED_HOLD: CreatedHold = { ...HOLD, holdSecret: 'c2VjcmV0LW9mLXRoZS1ob2xkLWluLWEtdGVzdC1vbmx5' };
const payment = (over: Partial<Payment> = {}): Payment => ({
  paymentTxId: TX_ID,
  userId: 'alice',
  seatId: 7,
  holdId: HOLD_ID,
  amount: 15000,
  status: 'PENDING',
  attempts: 0,
  failureReason: null,
  deadlineAt: '2030-01-01T00:03:00.000Z',
  createdAt: '2030-01-01T00:00:00.000Z',
  updatedAt: '2030-01-01T00:00:01.000Z',
  ...over,
});
const UP: CheckResult = { status: 'UP', latencyMs: 3, detail: '3 brokers live' };
const DOWN: CheckResult = { status: 'DOWN', latencyMs: 1500, error: 'no answer within 1500 ms' };
const CLOSED: BreakerSnapshot = { state: 'CLOSED', failureRate: 0, calls: 0, failures: 0, openedAt: null, retryAfterMs: null, forced: false };
const OPEN: BreakerSnapshot = { state: 'OPEN', failureRate: 0.6, calls: 10, failures: 6, openedAt: 1234.5, retryAfterMs: 29_000, forced: true };

/** What the fakes answer; each case sets what it needs. */
interface Script {
  hold: () => Promise<CreatedHold>;
  getHold: () => Promise<Hold>;
  payment: () => Promise<{ payment: Payment; replayed: boolean }>;
  getPayment: () => Promise<Payment>;
  cancel: () => Promise<Payment>;
  seats: Array<Record<string, unknown>>;
  checks: Record<DependencyName, CheckResult>;
  breaker: BreakerSnapshot;
  viewStatus?: 'PENDING' | 'SUCCESS';
}
const defaults = (): Script => ({
  hold: async () => CREATED_HOLD,
  getHold: async () => HOLD,
  payment: async () => ({ payment: payment(), replayed: false }),
  getPayment: async () => payment(),
  cancel: async () => payment({ status: 'SUCCESS' }),
  seats: [
    { id: 1, label: 'A1', price: 15000, status: 'AVAILABLE' },
    { id: 2, label: 'A2', price: 15000, status: 'SOLD' },
  ],
  checks: { db: UP, redis: UP, kafka: UP },
  breaker: CLOSED,
});
let script = defaults();

function viewOf(s: Script): StatusView {
  const view = createStatusView();
  const success = s.viewStatus === 'SUCCESS';
  if (s.viewStatus)
    view.apply(success ? 'payment.success' : 'payment.try', {
      ...newEnvelope(success ? 'PaymentSucceeded' : 'PaymentRequested', TX_ID, 1, { seatId: 7, holdId: HOLD_ID }),
      occurredAt: '2030-01-01T00:00:02.000Z',
    });
  return view;
}

function buildApp(jsonStringifyOnly: boolean): FastifyInstance {
  const app = createHttpServer();
  // What the routes sent before they had response schemas: every body through JSON.stringify.
  if (jsonStringifyOnly) app.setSerializerCompiler(() => (data: unknown) => JSON.stringify(data));
  const reservations: Reservations = { holdSeat: () => script.hold(), getHold: () => script.getHold(), releaseExpiredHolds: async () => 0 };
  const conn = { query: async () => [script.seats], release() {}, destroy() {} };
  const db = { pool: { getConnection: async () => conn }, acquireTimeoutMs: 1000 } as unknown as Db;
  const metrics = {
    reservations: { inc() {} },
    registry: { contentType: 'text/plain; version=0.0.4; charset=utf-8', metrics: async () => '# HELP up 1\nup 1\n' },
  } as unknown as Metrics;
  reservationRoutes(app, { reservations, db, metrics });
  const payments = { requestPayment: () => script.payment(), getPayment: () => script.getPayment(), requestCancel: () => script.cancel() } as unknown as Payments;
  // The event-log view of the case: TX_ID pending or succeeded (script.viewStatus), or nothing.
  const statusView: StatusView = { apply: () => false, size: () => 0, get: (id) => viewOf(script).get(id) };
  paymentRoutes(app, { payments, statusView });
  let emergency = false;
  const health: Health = {
    check: async (name) => script.checks[name],
    checkAll: async () => ({ status: Object.values(script.checks).every((c) => c.status === 'UP') ? 'UP' : 'DOWN', checks: script.checks }),
  };
  operationsRoutes(app, { instanceId: 'svc-3001', health, metrics, refreshMetrics: async () => {} });
  // The admin listener's routes, here on the same app: what they send does not depend on where they listen.
  adminRoutes(app, {
    instanceId: 'svc-3001',
    breaker: { snapshot: () => script.breaker, forceOpen() {}, reset() {} } as unknown as CircuitBreaker,
    retry: { isEmergency: () => emergency, maxRetries: () => (emergency ? 1 : 3), setEmergency: (e: boolean) => (emergency = e) } as unknown as RetryPolicy,
    consumerProfile: () => 'normal',
    switchConsumerProfile: async () => {},
  });
  return app;
}

const json = (method: 'POST' | 'PUT', url: string, payload: unknown): InjectOptions => ({ method, url, payload: payload as Record<string, unknown> });
const holdReq = json('POST', '/holds', { seatId: 7, userId: 'alice' });
const payReq = json('POST', '/payments', { paymentTxId: TX_ID, holdId: HOLD_ID, userId: 'alice', amount: 15000, holdSecret: CREATED_HOLD.holdSecret });
const secretInvalid = new ServiceError('holdSecret does not match hold.', { status: 403, code: 'HOLD_SECRET_INVALID', field: 'holdSecret' });
const fail = (err: Error) => async (): Promise<never> => {
  throw err;
};

const CASES: Array<{ name: string; req: InjectOptions; status: number; set?: (s: Script) => void }> = [
  { name: 'hold', req: holdReq, status: 201 },
  { name: 'hold: seat taken', req: holdReq, status: 409, set: (s) => (s.hold = fail(new SeatTakenError(7))) },
  { name: 'hold: no seat', req: holdReq, status: 404, set: (s) => (s.hold = fail(notFound('Seat', 7, 'SEAT_NOT_FOUND', 'seatId'))) },
  { name: 'hold: database down', req: holdReq, status: 503, set: (s) => (s.hold = fail(new DependencyUnavailableError('db'))) },
  { name: 'hold: a bug', req: holdReq, status: 500, set: (s) => (s.hold = fail(new TypeError('oops'))) },
  { name: 'hold: unknown field', req: json('POST', '/holds', { seatId: 7, userId: 'alice', extra: 1 }), status: 400 },
  { name: 'hold: string seatId (no coercion)', req: json('POST', '/holds', { seatId: '7', userId: 'alice' }), status: 400 },
  { name: 'hold: missing userId', req: json('POST', '/holds', { seatId: 7 }), status: 400 },
  { name: 'hold: text/plain', req: { method: 'POST', url: '/holds', headers: { 'content-type': 'text/plain' }, payload: 'seat 7' }, status: 415 },
  { name: 'hold: bad JSON', req: { method: 'POST', url: '/holds', headers: { 'content-type': 'application/json' }, payload: '{"seatId":' }, status: 400 },
  { name: 'hold: too large', req: json('POST', '/holds', { seatId: 7, userId: 'x'.repeat(20_000) }), status: 413 },
  { name: 'get hold', req: { method: 'GET', url: `/holds/${HOLD_ID}` }, status: 200 },
  { name: 'get hold: bad id', req: { method: 'GET', url: '/holds/nope' }, status: 400 },
  { name: 'get hold: none', req: { method: 'GET', url: `/holds/${HOLD_ID}` }, status: 404, set: (s) => (s.getHold = fail(notFound('Hold', HOLD_ID, 'HOLD_NOT_FOUND'))) },
  { name: 'seats', req: { method: 'GET', url: '/seats?concertId=1' }, status: 200 },
  { name: 'seats: by status', req: { method: 'GET', url: '/seats?concertId=1&status=SOLD' }, status: 200, set: (s) => (s.seats = []) },
  { name: 'seats: unknown parameter', req: { method: 'GET', url: '/seats?concertId=1&x=2' }, status: 400 },
  { name: 'pay: accepted', req: payReq, status: 202 },
  { name: 'pay: already completed', req: payReq, status: 200, set: (s) => (s.payment = async () => ({ payment: payment({ status: 'SUCCESS', attempts: 1 }), replayed: true })) },
  {
    name: 'pay: already failed',
    req: payReq,
    status: 200,
    set: (s) => (s.payment = async () => ({ payment: payment({ status: 'FAILED', attempts: 4, failureReason: 'Circuit breaker open' }), replayed: true })),
  },
  { name: 'pay: already cancelled', req: payReq, status: 200, set: (s) => (s.payment = async () => ({ payment: payment({ status: 'CANCELLED', attempts: 1 }), replayed: true })) },
  { name: 'pay: conflict', req: payReq, status: 409, set: (s) => (s.payment = fail(conflict('used', 'IDEMPOTENCY_CONFLICT', 'paymentTxId'))) },
  { name: 'pay: wrong hold secret', req: payReq, status: 403, set: (s) => (s.payment = fail(secretInvalid)) },
  { name: 'pay: amount', req: payReq, status: 400, set: (s) => (s.payment = fail(badRequest('amount', 'amount must be the seat price, 100.', 'AMOUNT_MISMATCH'))) },
  { name: 'poll: pending', req: { method: 'GET', url: `/payments/${TX_ID}` }, status: 200 },
  { name: 'poll: success', req: { method: 'GET', url: `/payments/${TX_ID}` }, status: 200, set: (s) => (s.getPayment = async () => payment({ status: 'SUCCESS', attempts: 1 })) },
  {
    name: 'poll: failed',
    req: { method: 'GET', url: `/payments/${TX_ID}` },
    status: 200,
    set: (s) => (s.getPayment = async () => payment({ status: 'FAILED', attempts: 2, failureReason: 'card declined' })),
  },
  { name: 'poll: refunded', req: { method: 'GET', url: `/payments/${TX_ID}` }, status: 200, set: (s) => (s.getPayment = async () => payment({ status: 'REFUNDED', attempts: 1 })) },
  { name: 'poll: none', req: { method: 'GET', url: `/payments/${TX_ID}` }, status: 404, set: (s) => (s.getPayment = fail(notFound('Payment', TX_ID, 'PAYMENT_NOT_FOUND'))) },
  {
    name: 'poll: database down, view knows success',
    req: { method: 'GET', url: `/payments/${TX_ID}` },
    status: 200,
    set: (s) => ((s.getPayment = fail(new DependencyUnavailableError('db'))), (s.viewStatus = 'SUCCESS')),
  },
  {
    name: 'poll: database down, view knows pending',
    req: { method: 'GET', url: `/payments/${TX_ID}` },
    status: 200,
    set: (s) => ((s.getPayment = fail(new DependencyUnavailableError('db'))), (s.viewStatus = 'PENDING')),
  },
  { name: 'poll: database down, view does not know', req: { method: 'GET', url: `/payments/${TX_ID}` }, status: 503, set: (s) => (s.getPayment = fail(new DependencyUnavailableError('db'))) },
  { name: 'cancel', req: json('POST', `/payments/${TX_ID}/cancel`, { userId: 'alice' }), status: 202 },
  { name: 'cancel: wrong hold secret', req: json('POST', `/payments/${TX_ID}/cancel`, { userId: 'alice', holdSecret: 'nope' }), status: 403, set: (s) => (s.cancel = fail(secretInvalid)) },
  { name: 'cancel: not cancellable', req: json('POST', `/payments/${TX_ID}/cancel`, { userId: 'alice' }), status: 409, set: (s) => (s.cancel = fail(conflict('no', 'NOT_CANCELLABLE'))) },
  { name: 'health: up', req: { method: 'GET', url: '/health' }, status: 200 },
  { name: 'health: down', req: { method: 'GET', url: '/health' }, status: 503, set: (s) => (s.checks = { db: UP, redis: DOWN, kafka: UP }) },
  { name: 'health/kafka', req: { method: 'GET', url: '/health/kafka' }, status: 200 },
  { name: 'health/db down', req: { method: 'GET', url: '/health/db' }, status: 503, set: (s) => (s.checks = { db: DOWN, redis: UP, kafka: UP }) },
  { name: 'metrics', req: { method: 'GET', url: '/metrics' }, status: 200 },
  { name: 'admin state', req: { method: 'GET', url: '/admin/state' }, status: 200, set: (s) => (s.breaker = OPEN) },
  { name: 'retry mode', req: json('PUT', '/admin/retry-mode', { emergency: true }), status: 200 },
  { name: 'retry mode: string', req: json('PUT', '/admin/retry-mode', { emergency: 'yes' }), status: 400 },
  { name: 'consumer profile', req: json('PUT', '/admin/consumer-profile', { profile: 'emergency' }), status: 200 },
  { name: 'breaker', req: json('POST', '/admin/breaker', { action: 'open' }), status: 200, set: (s) => (s.breaker = OPEN) },
  { name: 'no route', req: { method: 'GET', url: '/nope' }, status: 404 },
];

test('response schemas change nothing the routes send (same status, headers and bytes as JSON.stringify)', async (t) => {
  const withSchemas = buildApp(false);
  const stringifyOnly = buildApp(true);
  t.after(() => Promise.all([withSchemas.close(), stringifyOnly.close()]));
  const seen = (r: Awaited<ReturnType<FastifyInstance['inject']>>) => ({
    status: r.statusCode,
    contentType: r.headers['content-type'],
    location: r.headers.location,
    retryAfter: r.headers['retry-after'],
    body: r.body,
  });
  for (const c of CASES) {
    script = defaults();
    c.set?.(script);
    const got = seen(await withSchemas.inject(c.req));
    script = defaults();
    c.set?.(script);
    const want = seen(await stringifyOnly.inject(c.req));
    assert.equal(got.status, c.status, `${c.name}: status (${got.body})`);
    assert.deepEqual(got, want, c.name);
  }
});

test('a poll while the database is down answers from the event log, marked; 503 only for a payment it does not know', async (t) => {
  const app = buildApp(false);
  t.after(() => app.close());
  const poll = () => app.inject({ method: 'GET', url: `/payments/${TX_ID}` });
  script = { ...defaults(), getPayment: fail(new DependencyUnavailableError('db')), viewStatus: 'SUCCESS' };
  let r = await poll();
  assert.equal(r.statusCode, 200);
  assert.equal(r.headers['retry-after'], '2');
  const { message, ...rest } = r.json();
  assert.deepEqual(rest, { paymentTxId: TX_ID, status: 'SUCCESS', fallback: true, source: 'event-log', asOf: '2030-01-01T00:00:02.000Z', seatId: 7, holdId: HOLD_ID });
  assert.match(message, /event log/);
  script.viewStatus = 'PENDING';
  r = await poll();
  assert.equal(r.statusCode, 200);
  assert.deepEqual(
    { ...r.json<Record<string, unknown>>(), message: undefined },
    { paymentTxId: TX_ID, status: 'PENDING', retryAfter: 3000, message: undefined, pollUrl: `/payments/${TX_ID}`, fallback: true, source: 'event-log', asOf: '2030-01-01T00:00:02.000Z' },
  );
  assert.equal(r.headers.location, `/payments/${TX_ID}`);
  script.viewStatus = undefined;
  r = await poll();
  assert.equal(r.statusCode, 503);
  assert.equal(r.headers['retry-after'], '2');
  assert.equal(r.json().error.code, 'DB_UNAVAILABLE');
  // Another failure than the database's is not papered over.
  script = { ...defaults(), getPayment: fail(new TypeError('a bug')), viewStatus: 'SUCCESS' };
  assert.equal((await poll()).statusCode, 500);
  script = defaults();
  assert.equal((await poll()).json().fallback, undefined, 'a normal answer has no fallback mark');
});

test('GET /openapi.json serves the document', async (t) => {
  const app = buildApp(false);
  t.after(() => app.close());
  const r = await app.inject({ method: 'GET', url: '/openapi.json' });
  assert.equal(r.statusCode, 200);
  assert.match(String(r.headers['content-type']), /^application\/json/);
  assert.deepEqual(JSON.parse(renderOpenApi(r.json())), JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')));
});
