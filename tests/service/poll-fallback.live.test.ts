import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { pay, payBody, user } from '../helpers/payment-records.ts';
import { call, freshConcert, sql, gateway, hold, instanceUrl, serviceDb, waitForFinal, withProxiesDisabled, type HttpResult, adminCall } from '../helpers/service.ts';
import { DEFAULT_SERVICE_INSTANCES } from '../../contracts/topology.ts';
import { waitFor } from '../../lib/wait.ts';

// Report 2.0.1 #3, the poll's fallback (docs/service.md, "Poll fallback"): with the
// service's database path cut (the `mariadb` proxy disabled), GET /payments/:id answers the
// event log's last known status, 200 and marked fallback; a payment the log does not know
// still gets 503 with Retry-After; once the database is back, answers are the database's.

before(async () => {
  await gateway.setKnobs({ latencyMs: 0, errorRate: 0, declineRate: 0, timeoutAfterChargeRate: 0 });
  for (let n = 1; n <= DEFAULT_SERVICE_INSTANCES; n++) await adminCall('POST', n, '/admin/breaker', { action: 'reset' });
});

after(async () => {
  await (await serviceDb()).end();
});

const poll = (n: number, paymentTxId: string) => call('GET', `${instanceUrl(n)}/payments/${paymentTxId}`, undefined, undefined, 10_000);

test('database cut: every instance answers a paid payment SUCCESS from the event log (fallback); unknown ids 503 + Retry-After; normal again after', { timeout: 180_000 }, async () => {
  const { seatIds } = await freshConcert(1);
  const userId = user();
  const h = await hold(seatIds[0]!, userId);
  const paymentTxId = randomUUID();
  const accepted = await pay(payBody(paymentTxId, h, userId), instanceUrl(1));
  assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
  assert.equal((await waitForFinal(paymentTxId)).status, 'SUCCESS');
  // The view lags the database: payment.success reaches Kafka only once the relay published
  // its outbox row (which it cannot do with the database cut), so wait for that first.
  await waitFor(async () => (await sql("SELECT 1 FROM outbox WHERE message_key = ? AND topic = 'payment.success' AND published_at IS NOT NULL", [paymentTxId])).length > 0, {
    timeoutMs: 30_000,
    intervalMs: 200,
    what: `payment.success of ${paymentTxId} published`,
  });

  const seen: Array<{ n: number; r: HttpResult }> = [];
  await withProxiesDisabled(['mariadb'], async () => {
    for (let n = 1; n <= DEFAULT_SERVICE_INSTANCES; n++) {
      // Each instance tails every partition itself; its view may take a moment to read the success.
      const r = await waitFor(
        async () => {
          const a = await poll(n, paymentTxId);
          seen.push({ n, r: a });
          return a.status === 200 && a.body.status === 'SUCCESS' ? a : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 300, what: `service-${n} to answer payment ${paymentTxId} from the event log` },
      );
      assert.equal(r.body.paymentTxId, paymentTxId);
      assert.equal(r.body.status, 'SUCCESS');
      assert.equal(r.body.fallback, true);
      assert.equal(r.body.source, 'event-log');
      assert.ok(!Number.isNaN(Date.parse(r.body.asOf)), `asOf ${r.body.asOf}`);
      assert.equal(r.body.seatId, h.seatId);
      assert.equal(r.body.holdId, h.holdId);
      assert.equal(typeof r.body.message, 'string');
      assert.match(r.headers.get('retry-after') ?? '', /^\d+$/, 'a fallback says when to come back for the database answer');
    }
    // Until then (the instance's view still reading), only the 503 of before with Retry-After,
    // or the lagging PENDING, marked as a fallback; never a 500.
    for (const { n, r } of seen.filter((x) => x.r.body?.status !== 'SUCCESS')) {
      const ok = (r.status === 503 && r.headers.get('retry-after')) || (r.status === 200 && r.body.status === 'PENDING' && r.body.fallback === true);
      assert.ok(ok, `service-${n}: ${r.status} ${JSON.stringify(r.body)} retry-after ${r.headers.get('retry-after')}`);
    }

    const unknown = await poll(2, randomUUID());
    assert.equal(unknown.status, 503, JSON.stringify(unknown.body));
    assert.equal(unknown.body.error.code, 'DB_UNAVAILABLE');
    assert.match(unknown.headers.get('retry-after') ?? '', /^\d+$/);

    const metrics = await call('GET', `${instanceUrl(1)}/metrics`);
    assert.match(String(metrics.body), /payment_poll_fallback_total\{[^}]*status="SUCCESS"[^}]*\} [1-9]/);
  });

  // Restored: the database answers again, with its details and without the fallback marks.
  for (let n = 1; n <= DEFAULT_SERVICE_INSTANCES; n++) {
    const r = await waitFor(
      async () => {
        const a = await poll(n, paymentTxId);
        return a.status === 200 && a.body.fallback === undefined ? a : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 300, what: `service-${n} to answer from the database again` },
    );
    assert.equal(r.body.status, 'SUCCESS');
    assert.equal(r.body.attempts, 1);
    assert.equal(r.body.source, undefined);
  }
});
