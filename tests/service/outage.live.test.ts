import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { restoreStack } from '../helpers/stack.ts';
import { anyInstance, call, ctx, freshConcert, gateway, hold, sql, waitForFinal, withProxiesDisabled } from '../helpers/service.ts';

// Report 2.1.1: with the whole Kafka cluster unreachable, payments are still accepted and
// stay PENDING (the outbox holds their events); when Kafka returns, every one of them
// reaches a final state, charged exactly once. (Graceful shutdown: graceful-shutdown.live.test.ts.)

after(() => restoreStack(ctx));

test('Kafka unreachable: payments accepted and PENDING; on recovery all complete, none lost or doubled', { timeout: 600_000 }, async () => {
  const concert = await freshConcert(8);
  const txIds: string[] = [];
  await withProxiesDisabled(['kafka-1', 'kafka-2', 'kafka-3'], async () => {
    for (const [i, seatId] of concert.seatIds.entries()) {
      const h = await hold(seatId, `outage-${i}`);
      const paymentTxId = randomUUID();
      const r = await call('POST', `${anyInstance(i)}/payments`, { paymentTxId, holdId: h.holdId, holdSecret: h.holdSecret, userId: h.userId, amount: 50_000 });
      assert.equal(r.status, 202, JSON.stringify(r.body));
      assert.ok(r.ms < 5000, `accepted in ${Math.round(r.ms)} ms: intake must not wait for Kafka`);
      txIds.push(paymentTxId);
    }
    const pending = await sql('SELECT COUNT(*) AS n FROM outbox o WHERE o.published_at IS NULL AND o.message_key IN (?)', [txIds]);
    assert.equal(Number(pending[0]!.n), txIds.length, 'every accepted payment waits in the outbox');
    const statuses = await sql('SELECT status FROM payment_transactions WHERE payment_tx_id IN (?)', [txIds]);
    assert.ok(statuses.every((s) => s.status === 'PENDING'));
  });

  for (const id of txIds) assert.equal((await waitForFinal(id, 240_000)).status, 'SUCCESS', `payment ${id}`);
  for (const id of txIds) {
    const charges = await gateway.getCharges(id);
    assert.equal(charges.filter((c) => c.status === 'CHARGED').length, 1, `exactly one charge for ${id}`);
  }
});
