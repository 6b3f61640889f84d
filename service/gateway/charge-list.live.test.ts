import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChargeView } from './ledger.ts';
import { countRows, newKey, newTxId, startTestGateway, type TestGateway } from '../../tests/helpers/gateway.ts';

// GET /charges?createdFrom=&limit=&cursor=: every charge by creation time, page by page,
// the way the service reconciles against the processor instead of reading its database.

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway();
});
after(() => gw.close());

/** Every page from createdFrom, following nextCursor; each page checked for the contract. */
async function allPages(createdFrom: Date, limit: number): Promise<{ charges: ChargeView[]; pages: number }> {
  const charges: ChargeView[] = [];
  let cursor: string | undefined;
  for (let pages = 1; pages < 1000; pages++) {
    const page = await gw.client.listCharges({ createdFrom, limit, cursor });
    assert.ok(page.data.length <= limit);
    charges.push(...page.data);
    if (!page.hasMore) {
      assert.equal(page.nextCursor, null, 'the last page has no cursor');
      return { charges, pages };
    }
    assert.equal(page.data.length, limit, 'only a last page is short');
    assert.equal(typeof page.nextCursor, 'string');
    cursor = page.nextCursor ?? undefined;
  }
  throw new Error('the pages never ended');
}

type Positioned = { createdAt: string; id: number };
/** The list's order: creation time, then id. */
const compare = (a: Positioned, b: Positioned) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id - b.id;

test('the cursor pages through N charges in (createdAt, id) order, no gaps or repeats, hasMore false at the end', async () => {
  const createdFrom = new Date(Date.now() - 1000);
  // Made at once, so several share a millisecond and the id must break the tie.
  const made = await Promise.all(Array.from({ length: 12 }, (_, i) => gw.client.charge({ idempotencyKey: newKey('list'), paymentTxId: newTxId(), amount: 100 + i })));
  const { charges, pages } = await allPages(createdFrom, 5);
  assert.ok(pages >= 3, `12 charges at 5 a page take at least 3 pages, got ${pages}`);

  const ids = charges.map((c) => c.id);
  assert.equal(new Set(ids).size, ids.length, 'no charge on two pages');
  for (let i = 1; i < charges.length; i++) assert.ok(compare(charges[i - 1]!, charges[i]!) < 0, `item ${i} out of (createdAt, id) order`);
  const ours = new Set(made.map((c) => c.id));
  assert.deepEqual(
    ids.filter((id) => ours.has(id)),
    made.toSorted(compare).map((c) => c.id),
    'every charge made, none missing',
  );
  assert.ok(charges.every((c) => Date.parse(c.createdAt) >= createdFrom.getTime()));
});

test('createdFrom filters: later charges only, a time to come lists nothing', async () => {
  const early = await gw.client.charge({ idempotencyKey: newKey('list'), paymentTxId: newTxId(), amount: 1 });
  // A later millisecond than the first charge, whatever the clocks say.
  const from = new Date(Date.parse(early.createdAt) + 1);
  let late = await gw.client.charge({ idempotencyKey: newKey('list'), paymentTxId: newTxId(), amount: 2 });
  while (Date.parse(late.createdAt) < from.getTime()) late = await gw.client.charge({ idempotencyKey: newKey('list'), paymentTxId: newTxId(), amount: 2 });
  const { charges } = await allPages(from, 1000);
  const ids = charges.map((c) => c.id);
  assert.ok(ids.includes(late.id));
  assert.ok(!ids.includes(early.id));
  assert.ok(charges.every((c) => Date.parse(c.createdAt) >= from.getTime()));

  assert.deepEqual(await gw.client.listCharges({ createdFrom: new Date(Date.now() + 3_600_000) }), { data: [], hasMore: false, nextCursor: null });
});

test('a listed charge carries its refunds, oldest first, and what they add up to', async () => {
  const createdFrom = new Date(Date.now() - 1000);
  const charge = await gw.client.charge({ idempotencyKey: newKey('list'), paymentTxId: newTxId(), amount: 900 });
  const a = await gw.client.refund({ idempotencyKey: newKey('refund'), chargeId: charge.id, amount: 400 });
  const b = await gw.client.refund({ idempotencyKey: newKey('refund'), chargeId: charge.id, amount: 500 });
  const listed = (await allPages(createdFrom, 1000)).charges.find((c) => c.id === charge.id);
  assert.deepEqual(
    listed?.refunds.map((r) => [r.id, r.amount]),
    [
      [a.id, 400],
      [b.id, 500],
    ],
  );
  assert.equal(listed?.refundedAmount, 900);
  assert.equal(listed?.refund?.id, a.id);
});

test('without a limit a page is 100 charges', async () => {
  const have = await countRows(gw.pool, 'SELECT COUNT(*) AS n FROM gateway_charges', []);
  for (let i = have; i <= 100; i++) await gw.client.charge({ idempotencyKey: newKey('list'), paymentTxId: newTxId(), amount: 1 });
  const page = await gw.client.listCharges({ createdFrom: new Date(0) });
  assert.equal(page.data.length, 100);
  assert.equal(page.hasMore, true);
});
