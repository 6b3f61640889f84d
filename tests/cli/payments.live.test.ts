import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { freshConcert, gateway, sql } from '../helpers/service.ts';
import { parseJson, scratch } from './helpers.ts';

// Runbook 4.3.1 on the real stack: duplicate SUCCESS payments seeded straight into the
// service database, each with a real charge in the gateway's ledger, plus one gateway charge
// no payment accounts for. Detect, dry-run (nothing changes), refuse without consent,
// refund (gateway refunds recorded, rows REFUNDED, event-store rows), then nothing is left.

const s = scratch('payments');

async function seedSuccess(userId: string, seatId: number, amount: number, createdAt: Date, holdId: string = randomUUID()): Promise<{ paymentTxId: string; chargeId: number }> {
  const paymentTxId = randomUUID();
  const charge = await gateway.charge({ idempotencyKey: paymentTxId, paymentTxId, amount });
  await sql(
    `INSERT INTO payment_transactions (payment_tx_id, user_id, seat_id, hold_id, amount, status, attempts, request_hash, gateway_charge_id, created_at)
     VALUES (?, ?, ?, ?, ?, 'SUCCESS', 1, ?, ?, ?)`,
    [paymentTxId, userId, seatId, holdId, amount, 'f'.repeat(64), charge.id, createdAt],
  );
  return { paymentTxId, chargeId: charge.id };
}

/** A PAID hold with the seat SOLD under it: the seat belongs to the payment made with this hold. */
async function seedOwnedSeat(userId: string, seatId: number): Promise<string> {
  const holdId = randomUUID();
  await sql("INSERT INTO holds (id, seat_id, user_id, status, lock_mode, expires_at) VALUES (?, ?, ?, 'PAID', 'DATABASE', NOW(3) + INTERVAL 5 MINUTE)", [holdId, seatId, userId]);
  await sql("UPDATE seats SET status = 'SOLD', hold_id = ? WHERE id = ?", [holdId, seatId]);
  return holdId;
}

const status = async (id: string) => (await sql('SELECT status FROM payment_transactions WHERE payment_tx_id = ?', [id]))[0]!.status;

test('duplicates: detect, dry-run, refuse without --yes, refund through the gateway, then nothing is left', { timeout: 180_000 }, async () => {
  const since = new Date(Date.now() - 5000).toISOString();
  const concert = await freshConcert(1, 42_000);
  const seatId = concert.seatIds[0]!;
  const userId = `dup-${randomUUID().slice(0, 8)}`;
  const first = await seedSuccess(userId, seatId, 42_000, new Date(Date.now() - 3000));
  const second = await seedSuccess(userId, seatId, 42_000, new Date(Date.now() - 2000));
  const ghost = randomUUID();
  const orphan = await gateway.charge({ idempotencyKey: ghost, paymentTxId: ghost, amount: 1234 });
  const window = ['--since', since];

  // Detect: exit 1 (an incident), the first kept, the second a duplicate, the orphan listed.
  const found = await s.run(['payments', 'duplicates', ...window, '-o', 'json']);
  assert.equal(found.exitCode, 1, found.stderr);
  assert.match(found.stderr, /refund-duplicates/);
  const report = parseJson(found);
  assert.deepEqual(Object.keys(report), ['context', 'window', 'groups', 'orphanCharges', 'inFlightCharges', 'summary', 'clean']);
  const group = report.groups.find((g: any) => g.userId === userId);
  assert.ok(group, JSON.stringify(report.groups));
  assert.equal(group.seatId, seatId);
  assert.equal(group.kept.paymentTxId, first.paymentTxId);
  assert.deepEqual(
    group.duplicates.map((d: any) => [d.paymentTxId, d.role, d.amount, d.gatewayChargeId]),
    [[second.paymentTxId, 'duplicate', 42_000, second.chargeId]],
  );
  assert.deepEqual(Object.keys(group.kept), ['paymentTxId', 'userId', 'seatId', 'amount', 'createdAt', 'updatedAt', 'gatewayChargeId', 'ownsSeat', 'role']);
  const o = report.orphanCharges.find((x: any) => x.chargeId === orphan.id);
  assert.ok(o, JSON.stringify(report.orphanCharges));
  assert.deepEqual([o.paymentTxId, o.amount, o.paymentStatus], [ghost, 1234, null]);
  assert.equal(report.clean, false);

  // Dry run: the exact plan, nothing changed.
  const dry = await s.run(['payments', 'refund-duplicates', ...window, '--include-orphans', '--dry-run', '-o', 'json']);
  assert.equal(dry.exitCode, 0, dry.stderr);
  const plan = parseJson(dry).plan;
  const planned = plan.data.duplicates.find((d: any) => d.paymentTxId === second.paymentTxId);
  assert.deepEqual(planned.refunds, [{ chargeId: second.chargeId, amount: 42_000, idempotencyKey: `refund-${second.chargeId}` }]);
  assert.equal(planned.keptPaymentTxId, first.paymentTxId);
  assert.ok(!plan.data.duplicates.some((d: any) => d.paymentTxId === first.paymentTxId), 'the kept payment is never refunded');
  assert.equal(plan.data.orphans.find((x: any) => x.chargeId === orphan.id).action, 'refund');
  assert.equal(await status(second.paymentTxId), 'SUCCESS');
  assert.equal((await gateway.getCharge(second.chargeId)).refund, null);

  // No terminal, no --yes: refused with exit 2, nothing changed.
  const refused = await s.run(['payments', 'refund-duplicates', ...window]);
  assert.equal(refused.exitCode, 2, refused.stderr);
  assert.match(refused.stderr, /--yes/);
  assert.equal(await status(second.paymentTxId), 'SUCCESS');

  // Apply.
  const applied = await s.run(['payments', 'refund-duplicates', ...window, '--include-orphans', '--yes', '-o', 'json'], {}, 120_000);
  assert.equal(applied.exitCode, 0, applied.stderr);
  const out = parseJson(applied);
  assert.equal(out.result, 'ok');
  assert.deepEqual(out.outcome.refunded.find((r: any) => r.paymentTxId === second.paymentTxId).chargeIds, [second.chargeId]);
  assert.equal(await status(second.paymentTxId), 'REFUNDED');
  assert.equal(await status(first.paymentTxId), 'SUCCESS', 'the first payment is kept');
  const refund = (await gateway.getCharge(second.chargeId)).refund;
  assert.equal(refund?.idempotencyKey, `refund-${second.chargeId}`, 'the one key the service ever refunds this charge with');
  assert.equal(refund?.amount, 42_000);
  assert.equal((await gateway.getCharge(first.chargeId)).refund, null);
  assert.notEqual((await gateway.getCharge(orphan.id)).refund, null, 'orphan refunded with --include-orphans');
  const events = await sql('SELECT event_type, event_data FROM event_store WHERE aggregate_id = ? ORDER BY version', [second.paymentTxId]);
  assert.deepEqual(
    events.map((e) => e.event_type),
    ['PaymentRefunded'],
  );
  assert.deepEqual(JSON.parse(events[0]!.event_data).chargeIds, [second.chargeId]);
  assert.equal(s.audit().at(-1)?.result, 'ok');

  // A rerun finds nothing, and detection is clean.
  const again = await s.run(['payments', 'refund-duplicates', ...window, '--include-orphans', '--yes', '-o', 'json']);
  assert.equal(again.exitCode, 0, again.stderr);
  assert.equal(parseJson(again).result, 'noop');
  const clean = await s.run(['payments', 'duplicates', ...window]);
  assert.equal(clean.exitCode, 0, clean.stdout + clean.stderr);
  const refunds = (await gateway.getCharges(second.paymentTxId)).filter((c) => c.refund);
  assert.equal(refunds.length, 1, 'refunded exactly once');
});

test('refund-duplicates keeps the payment whose hold owns the seat, even when it came second', { timeout: 180_000 }, async () => {
  const since = new Date(Date.now() - 5000).toISOString();
  const seatId = (await freshConcert(1, 42_000)).seatIds[0]!;
  const userId = `dup-${randomUUID().slice(0, 8)}`;
  const first = await seedSuccess(userId, seatId, 42_000, new Date(Date.now() - 3000));
  const owner = await seedSuccess(userId, seatId, 42_000, new Date(Date.now() - 2000), await seedOwnedSeat(userId, seatId));
  const applied = await s.run(['payments', 'refund-duplicates', '--since', since, '--yes', '-o', 'json'], {}, 120_000);
  assert.equal(applied.exitCode, 0, applied.stderr);
  assert.equal(await status(owner.paymentTxId), 'SUCCESS', 'the seat owner is kept');
  assert.equal(await status(first.paymentTxId), 'REFUNDED', 'the earlier payment without the seat is the duplicate');
  assert.equal((await gateway.getCharge(owner.chargeId)).refund, null);
  assert.notEqual((await gateway.getCharge(first.chargeId)).refund, null);
});

test('duplicates: bad times and unknown flags exit 2 with a hint; a clean window exits 0 and says so', { timeout: 60_000 }, async () => {
  for (const args of [['--since', 'yesterday'], ['--until', '5w'], ['--since', '1h', '--until', '2h'], ['--bogus']]) {
    const r = await s.run(['payments', 'duplicates', ...args]);
    assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
  }
  const r = await s.run(['payments', 'refund-duplicates', '--since', 'nope', '--yes']);
  assert.equal(r.exitCode, 2);
  assert.match(r.stderr, /--since 30m/);
  // A window long past, where no test has written anything: exit 0 and the clean verdict,
  // whatever the other tests left in the last minutes.
  const table = await s.run(['payments', 'duplicates', '--since', '2020-01-01T00:00:00Z', '--until', '2020-01-01T01:00:00Z', '-o', 'table']);
  assert.equal(table.exitCode, 0, table.stderr);
  assert.match(table.stdout, /^Window: 2020-01-01T00:00:00\.000Z \.\. 2020-01-01T01:00:00\.000Z\n\nClean: no duplicate payments, no orphan charges\./);
});
