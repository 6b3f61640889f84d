import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { anyInstance, call, freshConcert, gateway, hold, sql, waitForFinal, withGatewayKnobs } from '../helpers/service.ts';
import { parseJson, scratch } from './helpers.ts';

// Runbook 4.3.2 on the real stack. Reprocess: payments fail for real (the gateway declines
// every card), one seat is taken by someone else meanwhile; after the fix, reprocessing
// revives the others exactly once (one live charge each in the gateway's ledger, one
// success each in the event store) and skips the taken seat; a second run has nothing to do.

const s = scratch('events');
const PRICE = 31_000;

async function pay(seatId: number): Promise<{ paymentTxId: string; userId: string; holdId: string }> {
  const userId = `rep-${randomUUID().slice(0, 8)}`;
  const h = await hold(seatId, userId);
  const paymentTxId = randomUUID();
  const r = await call('POST', `${anyInstance()}/payments`, { paymentTxId, holdId: h.holdId, userId, amount: PRICE });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  return { paymentTxId, userId, holdId: h.holdId };
}

const statusOf = async (id: string) => (await sql('SELECT status FROM payment_transactions WHERE payment_tx_id = ?', [id]))[0]!.status;

test('events reprocess: failed payments revived once after the fix; a seat taken meanwhile is skipped; rerun does nothing', { timeout: 300_000 }, async () => {
  const since = new Date(Date.now() - 2000).toISOString();
  const concert = await freshConcert(4, PRICE);
  const payments = await withGatewayKnobs({ declineRate: 1 }, async () => {
    const started = await Promise.all(concert.seatIds.map((seat) => pay(seat)));
    for (const p of started) assert.equal((await waitForFinal(p.paymentTxId)).status, 'FAILED');
    return started;
  });
  // The last seat is sold to someone else while its payment lies failed.
  const taker = await hold(concert.seatIds[3]!, `other-${randomUUID().slice(0, 8)}`);
  const revivable = payments.slice(0, 3).map((p) => p.paymentTxId);
  const taken = payments[3]!.paymentTxId;
  const window = ['--since', since];

  const dry = await s.run(['events', 'reprocess', ...window, '--dry-run', '-o', 'json']);
  assert.equal(dry.exitCode, 0, dry.stderr);
  const plan = parseJson(dry).plan.data;
  assert.deepEqual(Object.keys(plan), ['window', 'statuses', 'reprocess', 'skipped', 'timeoutSeconds']);
  assert.deepEqual(plan.reprocess.map((r: any) => r.paymentTxId).sort(), [...revivable].sort());
  assert.deepEqual(plan.reprocess.map((r: any) => r.chargeKey).sort(), revivable.map((id) => `${id}:reprocess-1`).sort());
  const skip = plan.skipped.find((x: any) => x.paymentTxId === taken);
  assert.match(skip.reason, new RegExp(`taken by hold ${taker.holdId}`));
  for (const id of revivable) assert.equal(await statusOf(id), 'FAILED', 'dry run changes nothing');

  const refused = await s.run(['events', 'reprocess', ...window]);
  assert.equal(refused.exitCode, 2, refused.stderr);
  assert.equal(await statusOf(revivable[0]!), 'FAILED');

  const applied = await s.run(['events', 'reprocess', ...window, '--yes', '--timeout', '150', '-o', 'json'], {}, 200_000);
  assert.equal(applied.exitCode, 0, applied.stdout + applied.stderr);
  const outcome = parseJson(applied).outcome;
  assert.equal(outcome.allFinal, true);
  assert.deepEqual(outcome.payments.filter((p: any) => revivable.includes(p.paymentTxId)).map((p: any) => p.status), ['SUCCESS', 'SUCCESS', 'SUCCESS']);
  assert.equal(await statusOf(taken), 'FAILED', 'the taken seat\'s payment stays failed');

  for (const id of revivable) {
    const charges = await gateway.getCharges(id);
    const live = charges.filter((c) => c.status === 'CHARGED' && !c.refund);
    assert.equal(live.length, 1, `exactly one live charge for ${id}: ${JSON.stringify(charges)}`);
    assert.equal(live[0]!.idempotencyKey, `${id}:reprocess-1`);
    const events = (await sql('SELECT event_type FROM event_store WHERE aggregate_id = ? ORDER BY version', [id])).map((e) => e.event_type);
    assert.equal(events.filter((t) => t === 'PaymentSucceeded').length, 1, events.join(','));
    assert.equal(events.filter((t) => t === 'PaymentReprocessRequested').length, 1, events.join(','));
    const [seat] = await sql('SELECT s.status FROM seats s JOIN payment_transactions p ON p.seat_id = s.id WHERE p.payment_tx_id = ?', [id]);
    assert.equal(seat!.status, 'SOLD');
  }
  assert.equal(s.audit().at(-1)?.result, 'ok');

  const again = await s.run(['events', 'reprocess', ...window, '--yes', '-o', 'json']);
  assert.equal(again.exitCode, 0, again.stderr);
  assert.equal(parseJson(again).result, 'noop');
});

test('events reprocess: bad flags exit 2 with a hint', { timeout: 60_000 }, async () => {
  for (const args of [[], ['--since', 'soon'], ['--since', '1h', '--status', 'SUCCESS'], ['--payment', 'not-a-uuid'], ['--since', '1h', '--timeout', '0'], ['--since', '1h', '--bogus']]) {
    const r = await s.run(['events', 'reprocess', ...args, '--dry-run']);
    assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
  }
});
