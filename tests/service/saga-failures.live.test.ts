import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { RowDataPacket } from 'mysql2/promise';
import { anyInstance, call, freshConcert, gateway, gatewayDb, hold, instanceUrl, serviceDb, sql, waitForFinal, withGatewayKnobs, adminCall } from '../helpers/service.ts';
import { DEFAULT_SERVICE_INSTANCES } from '../../contracts/topology.ts';
import { waitFor } from '../../lib/wait.ts';

// The payment saga when the gateway misbehaves (gateway knobs, shared by all instances):
// retries with backoff up to MAX_RETRY_COUNT, fewer in emergency mode, no retry for a
// decline, no double charge when an answer is lost, and the circuit breaker. Every failed
// payment must be compensated: seat released, nothing left charged.

const PRICE = 50_000;
const MAX_RETRY_COUNT = 3; // retry-policy.ts RETRY_DEFAULTS.maxRetries: attempts = 1 + retries
const EMERGENCY_MAX_RETRY = 1;
const BASE_DELAY_MS = 1000; // service default RETRY_BASE_DELAY_MS

const instances = Array.from({ length: DEFAULT_SERVICE_INSTANCES }, (_, i) => instanceUrl(i + 1));
const user = () => `u-${randomUUID().slice(0, 8)}`;

async function adminAll(method: 'GET' | 'POST' | 'PUT', path: string, body: unknown): Promise<any[]> {
  return Promise.all(
    instances.map(async (_url, i) => {
      const r = await adminCall(method, i + 1, path, body);
      assert.equal(r.status, 200, `${method} instance ${i + 1} ${path}: ${JSON.stringify(r.body)}`);
      return r.body;
    }),
  );
}
const resetBreakers = () => adminAll('POST', '/admin/breaker', { action: 'reset' });
const setEmergency = (emergency: boolean) => adminAll('PUT', '/admin/retry-mode', { emergency });
const states = () => Promise.all(instances.map(async (_url, i) => (await adminCall('GET', i + 1, '/admin/state')).body));

interface Started {
  paymentTxId: string;
  seatId: number;
  holdId: string;
  holdSecret: string;
}

/** Holds a fresh seat and asks to pay for it (202); does not wait for the outcome. */
async function startPayment(seatId: number, i?: number): Promise<Started> {
  const userId = user();
  const h = await hold(seatId, userId, anyInstance(i));
  const paymentTxId = randomUUID();
  const r = await call('POST', `${anyInstance(i)}/payments`, { paymentTxId, holdId: h.holdId, holdSecret: h.holdSecret, userId, amount: PRICE });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  return { paymentTxId, seatId, holdId: h.holdId, holdSecret: h.holdSecret };
}

async function row(paymentTxId: string): Promise<RowDataPacket> {
  return (await sql('SELECT * FROM payment_transactions WHERE payment_tx_id = ?', [paymentTxId]))[0]!;
}

async function eventTypes(paymentTxId: string): Promise<Array<{ version: number; type: string; data: any }>> {
  const rows = await sql('SELECT version, event_type, event_data FROM event_store WHERE aggregate_id = ? ORDER BY version', [paymentTxId]);
  return rows.map((r) => ({ version: Number(r.version), type: r.event_type, data: JSON.parse(r.event_data) }));
}

async function ledger(paymentTxIds: string[]): Promise<{ charges: RowDataPacket[]; refunds: RowDataPacket[] }> {
  const db = gatewayDb();
  try {
    const [charges] = await db.query<RowDataPacket[]>('SELECT id, payment_tx_id, status FROM gateway_charges WHERE payment_tx_id IN (?)', [paymentTxIds]);
    const [refunds] = await db.query<RowDataPacket[]>('SELECT r.id, r.charge_id FROM gateway_refunds r JOIN gateway_charges c ON c.id = r.charge_id WHERE c.payment_tx_id IN (?)', [paymentTxIds]);
    return { charges, refunds };
  } finally {
    await db.end();
  }
}

/** Compensation done: seat AVAILABLE again, hold RELEASED, every CHARGED charge refunded exactly once. */
async function assertCompensated(payments: Started[]): Promise<void> {
  for (const p of payments) {
    const [seat] = await sql('SELECT status, hold_id FROM seats WHERE id = ?', [p.seatId]);
    assert.deepEqual({ status: seat!.status, holdId: seat!.hold_id }, { status: 'AVAILABLE', holdId: null }, `seat ${p.seatId} of failed payment ${p.paymentTxId} released`);
    assert.equal((await sql('SELECT status FROM holds WHERE id = ?', [p.holdId]))[0]!.status, 'RELEASED');
  }
  const { charges, refunds } = await ledger(payments.map((p) => p.paymentTxId));
  for (const c of charges.filter((c) => c.status === 'CHARGED')) {
    assert.equal(refunds.filter((r) => Number(r.charge_id) === Number(c.id)).length, 1, `charge ${c.id} of failed payment ${c.payment_tx_id} refunded exactly once`);
  }
}

before(async () => {
  await gateway.setKnobs({ latencyMs: 0, errorRate: 0, declineRate: 0, timeoutAfterChargeRate: 0 });
});

// Breaker windows and retry mode are per instance and outlive a test: every test starts
// and ends with closed, empty breakers and normal retry mode.
beforeEach(async () => {
  await resetBreakers();
  await setEmergency(false);
});
afterEach(async () => {
  await resetBreakers();
  await setEmergency(false);
});

after(async () => {
  await (await serviceDb()).end();
});

describe('saga failures', () => {
  test('gateway outage: 1 + MAX_RETRY_COUNT attempts with exponential backoff, then FAILED and compensated', { timeout: 300_000 }, async () => {
    const { seatIds } = await freshConcert(1);
    const p = await withGatewayKnobs({ errorRate: 1 }, async () => {
      const started = await startPayment(seatIds[0]!);
      const final = await waitForFinal(started.paymentTxId);
      assert.equal(final.status, 'FAILED');
      assert.equal(final.attempts, 1 + MAX_RETRY_COUNT);
      assert.match(final.failureReason, /GATEWAY_UNAVAILABLE/);
      return started;
    });

    const list = await eventTypes(p.paymentTxId);
    assert.deepEqual(
      list.map((e) => e.version),
      list.map((_, i) => i + 1),
    );
    assert.deepEqual(
      list.map((e) => e.type),
      ['PaymentRequested', ...Array(MAX_RETRY_COUNT).fill('PaymentRetryScheduled'), 'PaymentFailed'],
    );
    // Backoff before attempt k+1 is full-jittered within base * 2^(k-1).
    list
      .filter((e) => e.type === 'PaymentRetryScheduled')
      .forEach((e, k) => {
        assert.ok(e.data.delayMs >= 0 && e.data.delayMs < BASE_DELAY_MS * 2 ** k, `retry ${k + 1} delay ${e.data.delayMs} ms`);
      });
    const retries = await sql("SELECT payload FROM outbox WHERE message_key = ? AND topic = 'payment.retry' ORDER BY id", [p.paymentTxId]);
    assert.deepEqual(
      retries.map((r) => JSON.parse(r.payload).attempt),
      [2, 3, 4],
    );

    await assertCompensated([p]);
    assert.equal((await ledger([p.paymentTxId])).charges.length, 0, 'an outage records no charge');
  });

  test('emergency retry mode (switched at run time) retries EMERGENCY_MAX_RETRY times, then normal again', { timeout: 300_000 }, async () => {
    const { seatIds } = await freshConcert(1);
    const switched = await setEmergency(true);
    for (const s of switched) assert.deepEqual(s.retry, { emergency: true, maxRetries: EMERGENCY_MAX_RETRY });
    try {
      const p = await withGatewayKnobs({ errorRate: 1 }, async () => {
        const started = await startPayment(seatIds[0]!);
        const final = await waitForFinal(started.paymentTxId);
        assert.equal(final.status, 'FAILED');
        assert.equal(final.attempts, 1 + EMERGENCY_MAX_RETRY);
        return started;
      });
      const types = (await eventTypes(p.paymentTxId)).map((e) => e.type);
      assert.equal(types.filter((t) => t === 'PaymentRetryScheduled').length, EMERGENCY_MAX_RETRY);
      await assertCompensated([p]);
    } finally {
      await setEmergency(false);
    }
    for (const s of await states()) assert.deepEqual(s.retry, { emergency: false, maxRetries: MAX_RETRY_COUNT });
  });

  test('a card decline fails at once: no retry, CARD_DECLINED, seat released', { timeout: 300_000 }, async () => {
    const { seatIds } = await freshConcert(1);
    const p = await withGatewayKnobs({ declineRate: 1 }, async () => {
      const started = await startPayment(seatIds[0]!);
      const final = await waitForFinal(started.paymentTxId);
      assert.equal(final.status, 'FAILED');
      assert.equal(final.attempts, 1);
      assert.equal(final.failureReason, 'CARD_DECLINED');
      return started;
    });
    const types = (await eventTypes(p.paymentTxId)).map((e) => e.type);
    assert.deepEqual(types, ['PaymentRequested', 'PaymentFailed']);
    const { charges } = await ledger([p.paymentTxId]);
    assert.deepEqual(
      charges.map((c) => c.status),
      ['DECLINED'],
      'one declined charge, nothing charged',
    );
    await assertCompensated([p]);
  });

  test('charged but the answer is lost (gateway answers after 30 s, service times out at 3 s): retried with the same key, one charge', { timeout: 300_000 }, async () => {
    const { seatIds } = await freshConcert(1);
    const p = await withGatewayKnobs({ timeoutAfterChargeRate: 1 }, async () => {
      const started = await startPayment(seatIds[0]!);
      const final = await waitForFinal(started.paymentTxId);
      assert.equal(final.status, 'SUCCESS');
      assert.ok(final.attempts >= 2, `the lost answer forced a retry (attempts ${final.attempts})`);
      return started;
    });
    const list = await eventTypes(p.paymentTxId);
    assert.match(list.find((e) => e.type === 'PaymentRetryScheduled')!.data.lastError, /GATEWAY_TIMEOUT/);
    assert.equal(list.at(-1)!.type, 'PaymentSucceeded');

    const { charges, refunds } = await ledger([p.paymentTxId]);
    assert.equal(charges.length, 1, 'no double charge');
    assert.equal(charges[0]!.status, 'CHARGED');
    assert.equal(refunds.length, 0);
    assert.equal(Number((await row(p.paymentTxId)).gateway_charge_id), Number(charges[0]!.id));
    const [seat] = await sql('SELECT status, hold_id FROM seats WHERE id = ?', [p.seatId]);
    assert.deepEqual({ status: seat!.status, holdId: seat!.hold_id }, { status: 'SOLD', holdId: p.holdId });
  });

  test("cancel when the refund's answer is lost: redelivered, one refund, and the event store still records it", { timeout: 300_000 }, async () => {
    const { seatIds } = await freshConcert(1);
    const p = await startPayment(seatIds[0]!);
    assert.equal((await waitForFinal(p.paymentTxId)).status, 'SUCCESS');
    const userId = (await row(p.paymentTxId)).user_id;

    await withGatewayKnobs({ timeoutAfterChargeRate: 1 }, async () => {
      const r = await call('POST', `${anyInstance()}/payments/${p.paymentTxId}/cancel`, { userId, holdSecret: p.holdSecret });
      assert.equal(r.status, 202, JSON.stringify(r.body));
      assert.equal((await waitForFinal(p.paymentTxId, 90_000, (s) => s === 'CANCELLED')).status, 'CANCELLED');
    });

    const { charges, refunds } = await ledger([p.paymentTxId]);
    assert.equal(charges.length, 1);
    assert.deepEqual(
      refunds.map((r) => Number(r.charge_id)),
      [Number(charges[0]!.id)],
      'refunded exactly once',
    );
    const list = await eventTypes(p.paymentTxId);
    assert.deepEqual(
      list.map((e) => e.version),
      list.map((_, i) => i + 1),
    );
    const cancelled = list.find((e) => e.type === 'PaymentCancelled');
    assert.deepEqual(cancelled?.data.refundedCharges, [Number(charges[0]!.id)], 'PaymentCancelled names the refunded charge');
    const refunded = list.filter((e) => e.type === 'PaymentRefunded');
    assert.equal(refunded.length, 1, `one PaymentRefunded event: ${JSON.stringify(list.map((e) => e.type))}`);
    assert.deepEqual(refunded[0]!.data.chargeIds, [Number(charges[0]!.id)]);
    const [seat] = await sql('SELECT status, hold_id FROM seats WHERE id = ?', [p.seatId]);
    assert.deepEqual({ status: seat!.status, holdId: seat!.hold_id }, { status: 'AVAILABLE', holdId: null });
  });

  test('circuit breaker: an outage opens it, payments fail fast "Circuit breaker open" and are compensated; after reset they succeed', { timeout: 300_000 }, async () => {
    const BURST = 12;
    const { seatIds } = await freshConcert(BURST + DEFAULT_SERVICE_INSTANCES * 2);
    const burstSeats = seatIds.slice(0, BURST);
    const laterSeats = seatIds.slice(BURST);
    const openedOn = new Set<string>();

    const burst = await withGatewayKnobs({ errorRate: 1 }, async () => {
      const started = await Promise.all(burstSeats.map((seatId, i) => startPayment(seatId, i)));
      // Watch the breakers while the payments run: OPEN lasts 30 s, then turns HALF_OPEN.
      const finals = await waitFor(
        async () => {
          for (const s of await states()) if (s.breaker.state === 'OPEN') openedOn.add(s.instanceId);
          const rows = await sql('SELECT payment_tx_id, status, failure_reason FROM payment_transactions WHERE payment_tx_id IN (?)', [started.map((p) => p.paymentTxId)]);
          return rows.every((r) => r.status !== 'PENDING') ? rows : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 200, what: `${BURST} payments to leave PENDING during a gateway outage` },
      );
      return { started, finals };
    });

    assert.ok(openedOn.size >= 1, 'at least one instance opened its breaker');
    for (const r of burst.finals) assert.equal(r.status, 'FAILED', `payment ${r.payment_tx_id}`);
    const fastFailed = burst.finals.filter((r) => String(r.failure_reason).includes('Circuit breaker open'));
    assert.ok(fastFailed.length >= 1, `some payments failed on the open breaker: ${JSON.stringify(burst.finals.map((r) => r.failure_reason))}`);
    for (const r of fastFailed) {
      const types = (await eventTypes(r.payment_tx_id)).map((e) => e.type);
      assert.equal(types.at(-1), 'PaymentFailed');
    }
    await assertCompensated(burst.started);

    // Operator reset, gateway healthy again: payments go through on every instance.
    for (const s of await resetBreakers()) assert.equal(s.breaker.state, 'CLOSED');
    const later = await Promise.all(laterSeats.map((seatId, i) => startPayment(seatId, i)));
    for (const p of later) assert.equal((await waitForFinal(p.paymentTxId)).status, 'SUCCESS');
    const { charges } = await ledger(later.map((p) => p.paymentTxId));
    assert.equal(charges.filter((c) => c.status === 'CHARGED').length, later.length);
  });
});
