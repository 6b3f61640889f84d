import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { PoolConnection } from 'mysql2/promise';
import { findComponent } from '../../stack/components/index.ts';
import { runningRecord } from '../../stack/supervisor/managed.ts';
import { isAlive, signalRecorded } from '../../stack/supervisor/process.ts';
import { waitFor } from '../../lib/wait.ts';
import { restoreStack } from '../helpers/stack.ts';
import { call, ctx, freshConcert, hold, instanceUrl, serviceDb, sql } from '../helpers/service.ts';

// Graceful shutdown (issue #10, item 9): the requests a SIGTERMed instance is in the
// middle of must finish with their real answer, not merely "some answer". To have them
// provably in flight, the test holds the row locks of their seats in its own transaction:
// each request is then inside the server, waiting in MariaDB (INNODB_TRX says LOCK WAIT),
// when SIGTERM arrives. The locks are let go only once the instance has begun shutting down
// (its log says so), so the answers come from a closing server. Each answer must be the
// success it would have been (201 hold, 202 payment) with a body that a later GET on
// another instance confirms.

after(() => restoreStack(ctx));

const SEATS_TO_HOLD = 3;
const HOLDS_TO_PAY = 3;

test('SIGTERM: requests in flight finish with their real answer (201 hold, 202 payment, confirmed by GET), then a clean exit', { timeout: 300_000 }, async () => {
  const victim = findComponent(ctx.topology, 'service-3')!;
  const rec = runningRecord(ctx.paths, victim);
  assert.ok(rec, 'service-3 must be running');
  const concert = await freshConcert(SEATS_TO_HOLD + HOLDS_TO_PAY);
  const holdSeats = concert.seatIds.slice(0, SEATS_TO_HOLD);
  const paySeats = concert.seatIds.slice(SEATS_TO_HOLD);
  const toPay = await Promise.all(paySeats.map((seatId, i) => hold(seatId, `drain-pay-${i}`, instanceUrl(1))));

  // The test's transaction takes every seat's row lock; the requests below queue behind it.
  const blocker: PoolConnection = await (await serviceDb()).getConnection();
  let blocking = true;
  const release = async () => {
    if (!blocking) return;
    blocking = false;
    await blocker.query('ROLLBACK');
    blocker.release();
  };
  try {
    await blocker.query('START TRANSACTION');
    await blocker.query('SELECT id FROM seats WHERE id IN (?) FOR UPDATE', [concert.seatIds]);

    const url = instanceUrl(3);
    const holds = holdSeats.map((seatId, i) => ({ seatId, userId: `drain-hold-${i}` }));
    const payments = toPay.map((h) => ({ paymentTxId: randomUUID(), holdId: h.holdId, userId: h.userId, amount: 50_000 }));
    const answers = [
      ...holds.map((b) => call('POST', `${url}/holds`, b).catch((e: Error) => ({ status: 0, body: e.message }))),
      ...payments.map((b) => call('POST', `${url}/payments`, b).catch((e: Error) => ({ status: 0, body: e.message }))),
    ];
    // In flight = inside the server, waiting for the test's row locks.
    await waitFor(async () => Number((await sql("SELECT COUNT(*) AS n FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT'"))[0]!.n) >= answers.length, {
      timeoutMs: 15_000,
      intervalMs: 50,
      what: `${answers.length} requests waiting for their seats' row locks`,
    });

    const logFile = ctx.paths.logFile('service-3');
    const logStart = statSync(logFile).size;
    assert.ok(signalRecorded(rec, 'SIGTERM'));
    await waitFor(() => readFileSync(logFile, 'utf8').slice(logStart).includes('"shutting down"'), { timeoutMs: 10_000, intervalMs: 20, what: 'service-3 to begin shutting down' });
    await release();

    const results = await Promise.all(answers);
    const holdResults = results.slice(0, holds.length);
    const payResults = results.slice(holds.length);
    for (const [i, r] of holdResults.entries()) {
      assert.equal(r.status, 201, `hold of seat ${holds[i]!.seatId} in flight at SIGTERM: ${JSON.stringify(r.body)}`);
      const got = await call('GET', `${instanceUrl(1)}/holds/${r.body.holdId}`);
      assert.equal(got.status, 200, `GET /holds/${r.body.holdId} after the drain`);
      assert.deepEqual({ seatId: got.body.seatId, userId: got.body.userId, status: got.body.status }, { seatId: holds[i]!.seatId, userId: holds[i]!.userId, status: 'ACTIVE' });
    }
    for (const [i, r] of payResults.entries()) {
      const p = payments[i]!;
      assert.equal(r.status, 202, `payment ${p.paymentTxId} in flight at SIGTERM: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.paymentTxId, p.paymentTxId);
      const got = await call('GET', `${instanceUrl(1)}/payments/${p.paymentTxId}`);
      assert.equal(got.status, 200, `GET /payments/${p.paymentTxId} after the drain`);
      assert.equal(got.body.holdId, p.holdId);
    }
  } finally {
    await release();
    // Also when an assertion failed: restoreStack must not find the exiting process still "running".
    await waitFor(() => !isAlive(rec), { timeoutMs: 30_000, what: 'service-3 to exit after SIGTERM' });
  }

  const log = readFileSync(ctx.paths.logFile('service-3'), 'utf8');
  assert.match(log.slice(log.lastIndexOf('"shutting down"')), /"stopped cleanly"/);
  await restoreStack(ctx);
  assert.equal((await call('GET', `${instanceUrl(3)}/health`)).status, 200);
});
