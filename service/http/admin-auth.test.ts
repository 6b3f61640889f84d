import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHttpServer } from './server.ts';
import { adminRoutes, requireBearerToken } from './routes/admin.ts';
import { operationsRoutes } from './routes/operations.ts';
import type { CircuitBreaker } from '../payments/breaker.ts';
import type { RetryPolicy } from '../payments/retry-policy.ts';
import type { Health } from '../health.ts';
import type { Metrics } from '../metrics.ts';

// The admin listener's bearer check and the public port without admin routes, on real
// Fastify apps over fakes (the live stack's instances are tested in tests/service/admin-listener.live.test.ts).

const TOKEN = 'test-admin-token-0123456789abcdef';
let forced = 0;

function adminApp() {
  const app = createHttpServer();
  requireBearerToken(app, TOKEN);
  adminRoutes(app, {
    instanceId: 'svc-1',
    breaker: {
      snapshot: () => ({ state: 'CLOSED', failureRate: 0, calls: 0, failures: 0, openedAt: null, retryAfterMs: null, forced: false }),
      forceOpen: () => forced++,
      reset() {},
    } as unknown as CircuitBreaker,
    retry: { isEmergency: () => false, maxRetries: () => 3, setEmergency() {} } as unknown as RetryPolicy,
    consumerProfile: () => 'normal',
    switchConsumerProfile: async () => {},
  });
  return app;
}

test('admin routes: 401 with WWW-Authenticate without the token or with another; the switch is not touched; 200 with it', async (t) => {
  const app = adminApp();
  t.after(() => app.close());
  const open = (authorization?: string) => app.inject({ method: 'POST', url: '/admin/breaker', payload: { action: 'open' }, headers: authorization ? { authorization } : {} });
  for (const auth of [undefined, 'Bearer wrong', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`, `bearer${TOKEN}`]) {
    const r = await open(auth);
    assert.equal(r.statusCode, 401, String(auth));
    assert.equal(r.headers['www-authenticate'], 'Bearer realm="ticketing-admin"');
    assert.equal(r.json().error.code, 'UNAUTHORIZED');
    assert.ok(!r.body.includes(TOKEN), 'the answer never echoes a token');
  }
  assert.equal(forced, 0, 'no unauthorised request reached the breaker');
  const ok = await open(`Bearer ${TOKEN}`);
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(forced, 1);
  assert.equal((await app.inject({ method: 'GET', url: '/admin/state', headers: { authorization: `Bearer ${TOKEN}` } })).json().instanceId, 'svc-1');
});

test('the public port has no admin route: 404 for each, with or without a token', async (t) => {
  const app = createHttpServer();
  operationsRoutes(app, { instanceId: 'svc-1', health: {} as Health, metrics: {} as Metrics, refreshMetrics: async () => {} });
  t.after(() => app.close());
  for (const [method, url] of [
    ['GET', '/admin/state'],
    ['PUT', '/admin/retry-mode'],
    ['PUT', '/admin/consumer-profile'],
    ['POST', '/admin/breaker'],
  ] as const) {
    const r = await app.inject({ method, url, headers: { authorization: `Bearer ${TOKEN}` }, ...(method === 'GET' ? {} : { payload: {} }) });
    assert.equal(r.statusCode, 404, `${method} ${url}`);
  }
});
