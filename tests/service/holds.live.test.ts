import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createSeatLocks } from '../../service/reservations/seat-lock.ts';
import { waitFor } from '../../lib/wait.ts';
import { DEFAULT_SERVICE_INSTANCES } from '../../contracts/topology.ts';
import { anyInstance, call, ctx, freshConcert, hold, instanceUrl, serviceDb, sql, waitForFinal, withGatewayKnobs, withProxiesDisabled, type HttpResult } from '../helpers/service.ts';
import { parseLockValue, seatLockKey } from '../../contracts/seat-lock.ts';

// Seat holds against the three running instances (report 2.0.1): the Redis lock serialises
// contenders, the database is the fence, so however many requests race for a seat, and
// even with Redis cut off, exactly one wins and every other one is told 409 SEAT_TAKEN.
// Every test seeds its own concert, so no test sees another's seats.

after(async () => {
  await (await serviceDb()).end();
});

/** POST /holds for every [seatId, userId], all started at once, spread over the instances. */
function holdAll(requests: Array<[number, string]>): Promise<Array<HttpResult>> {
  return Promise.all(requests.map(([seatId, userId], i) => call('POST', `${anyInstance(i)}/holds`, { seatId, userId })));
}

interface CrowdResult {
  /** Each request's final answer (201 or 409) after retrying its 503s. */
  results: HttpResult[];
  /** Users one of whose attempts answered 503: its outcome was unknown (a COMMIT cut off by the deadline may have committed). */
  unknown: Set<string>;
  shed: number;
}

/**
 * As holdAll, but every request behaves as a client should: a 503 (the service shedding
 * load: its pool was busy past the request's database deadline, which a 2-core machine
 * running 2,000 requests at once may well be) must carry Retry-After, and is tried again
 * after it, until the answer is 201 or 409.
 */
async function holdAllAsClients(requests: Array<[number, string]>): Promise<CrowdResult> {
  const unknown = new Set<string>();
  let shed = 0;
  const results = await Promise.all(
    requests.map(async ([seatId, userId], i) => {
      for (let attempt = 1; ; attempt++) {
        const r = await call('POST', `${anyInstance(i + attempt - 1)}/holds`, { seatId, userId });
        if (r.status !== 503 || attempt === 10) return r;
        const retryAfter = Number(r.headers.get('retry-after'));
        assert.ok(retryAfter >= 1, `a 503 carries Retry-After: ${JSON.stringify(r.body)}`);
        shed++;
        unknown.add(userId);
        await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
      }
    }),
  );
  return { results, unknown, shed };
}

function statusCounts(results: HttpResult[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}

function assertAllLosersTaken(results: HttpResult[]): void {
  for (const r of results.filter((x) => x.status !== 201)) {
    assert.equal(r.status, 409, `a losing hold answered ${r.status}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, 'SEAT_TAKEN');
    assert.equal(r.body.error.field, 'seatId');
  }
}

/** The invariant in SQL: per seat one ACTIVE hold, the seat HELD and pointing at it. */
async function assertOneHolderPerSeat(seatIds: number[], winners: Map<number, string>): Promise<void> {
  const active = await sql("SELECT seat_id, COUNT(*) AS n, MIN(id) AS hold_id FROM holds WHERE seat_id IN (?) AND status = 'ACTIVE' GROUP BY seat_id", [seatIds]);
  assert.equal(active.length, seatIds.length, 'every seat has an ACTIVE hold');
  for (const r of active) {
    assert.equal(Number(r.n), 1, `seat ${r.seat_id} has ${r.n} ACTIVE holds`);
    assert.equal(r.hold_id, winners.get(Number(r.seat_id)), `seat ${r.seat_id}: the ACTIVE hold is the one answered 201`);
  }
  const rows = await sql('SELECT COUNT(*) AS n FROM holds WHERE seat_id IN (?)', [seatIds]);
  assert.equal(Number(rows[0]!.n), seatIds.length, 'no hold rows besides the winners (losers left nothing behind)');
  const seats = await sql(
    `SELECT COUNT(*) AS held, SUM(h.id IS NOT NULL) AS pointing
       FROM seats s LEFT JOIN holds h ON h.id = s.hold_id AND h.seat_id = s.id AND h.status = 'ACTIVE'
      WHERE s.id IN (?) AND s.status = 'HELD'`,
    [seatIds],
  );
  assert.equal(Number(seats[0]!.held), seatIds.length, 'every seat is HELD');
  assert.equal(Number(seats[0]!.pointing), seatIds.length, "every seat's hold_id points at its ACTIVE hold");
}

test('500 concurrent holds on one seat over 3 instances: exactly one 201, every other 409 SEAT_TAKEN', { timeout: 300_000 }, async () => {
  const {
    seatIds: [seatId],
  } = await freshConcert(1);
  const results = await holdAll(Array.from({ length: 500 }, (_, i) => [seatId!, `race-${i}`] as [number, string]));
  const counts = statusCounts(results);
  assert.deepEqual(Object.keys(counts).sort(), ['201', '409'], `statuses: ${JSON.stringify(counts)}`);
  assert.equal(counts[201], 1, `statuses: ${JSON.stringify(counts)}`);
  assertAllLosersTaken(results);
  const winner = results.find((r) => r.status === 201)!;
  assert.equal(winner.body.seatId, seatId);
  assert.equal(winner.body.status, 'ACTIVE');
  assert.ok(Date.parse(winner.body.expiresAt) > Date.now(), `the hold expires in the future: ${winner.body.expiresAt}`);
  await assertOneHolderPerSeat([seatId!], new Map([[seatId!, winner.body.holdId]]));
});

test('2,000 concurrent holds over 100 seats (20 users each): exactly 100 holds, one holder per seat in SQL', { timeout: 300_000 }, async (t) => {
  const { seatIds } = await freshConcert(100);
  // Interleaved (seat 1, 2, ..., 100, 1, 2, ...) so every seat's contenders hit all instances.
  const requests = Array.from({ length: 2000 }, (_, i) => [seatIds[i % 100]!, `crowd-${i}`] as [number, string]);
  const { results, unknown, shed } = await holdAllAsClients(requests);
  const counts = statusCounts(results);
  const said = `final statuses: ${JSON.stringify(counts)}, 503s retried: ${shed}`;
  t.diagnostic(said);
  assertAllLosersTaken(results);
  const winners = new Map<number, string>();
  for (const r of results.filter((x) => x.status === 201)) {
    assert.ok(!winners.has(r.body.seatId), `seat ${r.body.seatId} was answered 201 twice`);
    winners.set(r.body.seatId, r.body.holdId);
  }
  // A seat nobody was answered 201 for may only be held by a user whose 503 left the outcome unknown.
  const unanswered = seatIds.filter((id) => !winners.has(id));
  if (unanswered.length > 0) {
    const holders = await sql("SELECT seat_id, id, user_id FROM holds WHERE seat_id IN (?) AND status = 'ACTIVE'", [unanswered]);
    assert.equal(holders.length, unanswered.length, `every seat without a 201 is still held (${said})`);
    for (const h of holders) {
      assert.ok(unknown.has(String(h.user_id)), `seat ${h.seat_id} is held by ${h.user_id}, who was never answered 201 nor 503 (${said})`);
      winners.set(Number(h.seat_id), String(h.id));
    }
  }
  assert.equal(winners.size, 100, said);
  await assertOneHolderPerSeat(seatIds, winners);
});

/** Holds one fresh seat per instance until each answers with lockMode `mode`. */
async function waitForLockMode(seats: number[], mode: 'REDIS' | 'DATABASE'): Promise<void> {
  for (let n = 1; n <= DEFAULT_SERVICE_INSTANCES; n++) {
    await waitFor(
      async () => {
        const seatId = seats.shift();
        assert.ok(seatId, 'ran out of fresh seats');
        const r = await call('POST', `${instanceUrl(n)}/holds`, { seatId, userId: `mode-${n}` });
        if (r.status !== 201) throw new Error(`hold answered ${r.status}: ${JSON.stringify(r.body)}`);
        return r.body.lockMode === mode;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: `instance ${n} to hold seats with lockMode ${mode}` },
    );
  }
}

async function waitForRedisHealth(status: 'UP' | 'DOWN'): Promise<void> {
  for (let n = 1; n <= DEFAULT_SERVICE_INSTANCES; n++) {
    await waitFor(async () => (await call('GET', `${instanceUrl(n)}/health/redis`)).body.status === status, {
      timeoutMs: 30_000,
      what: `instance ${n} to report Redis ${status}`,
    });
  }
}

test('split brain: Redis cut off, 200 concurrent holds on one seat still yield exactly one, via the database lock', { timeout: 300_000 }, async (t) => {
  const { seatIds } = await freshConcert(40);
  const [raced, ...spare] = seatIds;
  await withProxiesDisabled(['redis-master'], async () => {
    // Every instance must have noticed the outage, or some requests would still use Redis.
    await waitForRedisHealth('DOWN');
    const t0 = performance.now();
    const results = await holdAll(Array.from({ length: 200 }, (_, i) => [raced!, `split-${i}`] as [number, string]));
    const wallMs = performance.now() - t0;
    const counts = statusCounts(results);
    assert.deepEqual(Object.keys(counts).sort(), ['201', '409'], `statuses: ${JSON.stringify(counts)}`);
    assert.equal(counts[201], 1, `statuses: ${JSON.stringify(counts)}`);
    assertAllLosersTaken(results);
    const winner = results.find((r) => r.status === 201)!;
    assert.equal(winner.body.lockMode, 'DATABASE');
    // The row lock waits at most 3 s (innodb_lock_wait_timeout) and the pool 2 s: no request hangs.
    const slowest = Math.max(...results.map((r) => r.ms));
    t.diagnostic(`200 holds without Redis: slowest answer ${Math.round(slowest)} ms, all in ${Math.round(wallMs)} ms`);
    assert.ok(slowest < 8000, `slowest answer took ${Math.round(slowest)} ms (all 200 in ${Math.round(wallMs)} ms)`);
    await assertOneHolderPerSeat([raced!], new Map([[raced!, winner.body.holdId]]));
  });
  await waitForRedisHealth('UP');
  await waitForLockMode(spare, 'REDIS');
});

test('lock value: the Redis key records owner, since and token while held, and is gone afterwards', { timeout: 300_000 }, async () => {
  const redis = new Redis({ host: ctx.topology.host, port: ctx.topology.redis.masterProxy, connectTimeout: 1000, maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  try {
    await waitFor(() => redis.status === 'ready', { timeoutMs: 10_000, what: 'the test Redis client to connect' });
    const {
      seatIds: [seatId],
    } = await freshConcert(1);
    const locks = createSeatLocks({ redis, owner: 'test-owner', ttlMs: 5000 });
    const before = Date.now();
    const outcome = await locks.withSeatLock(seatId!, async () => {
      const raw = await redis.get(seatLockKey(seatId!));
      const parsed = parseLockValue(raw);
      assert.ok(parsed, `the key holds a lock value: ${raw}`);
      assert.deepEqual(Object.keys(JSON.parse(raw!)).sort(), ['owner', 'since', 'token']);
      const read = await locks.readLock(seatId!);
      assert.ok(read);
      assert.equal(read.owner, 'test-owner');
      assert.equal(read.token, parsed.token);
      assert.ok(typeof read.token === 'string' && read.token.length > 0);
      assert.ok(read.since >= before && read.since <= Date.now(), `since ${read.since} is when the lock was taken`);
      assert.ok(read.ttlMs > 0 && read.ttlMs <= 5000, `PTTL ${read.ttlMs}`);
      return 'done';
    });
    assert.deepEqual(outcome, { mode: 'REDIS', value: 'done' });
    assert.equal(await redis.exists(seatLockKey(seatId!)), 0, 'the lock is released after the callback');
    assert.equal(await locks.readLock(seatId!), undefined);
    assert.equal(parseLockValue('not json'), undefined);
    assert.equal(parseLockValue(null), undefined);
  } finally {
    redis.disconnect();
  }
});

test('sweeper: an expired hold is released and its seat is AVAILABLE again', { timeout: 300_000 }, async () => {
  const {
    seatIds: [seatId],
  } = await freshConcert(1);
  const h = await hold(seatId!, 'sweep-me');
  await sql('UPDATE holds SET expires_at = NOW(3) - INTERVAL 1 SECOND WHERE id = ?', [h.holdId]);
  await waitFor(async () => (await sql('SELECT status FROM seats WHERE id = ?', [seatId]))[0]!.status === 'AVAILABLE', {
    timeoutMs: 15_000,
    what: 'the sweeper to release the seat',
  });
  const [seat] = await sql('SELECT status, hold_id FROM seats WHERE id = ?', [seatId]);
  assert.equal(seat!.hold_id, null);
  const got = await call('GET', `${anyInstance()}/holds/${h.holdId}`);
  assert.equal(got.status, 200);
  assert.equal(got.body.status, 'EXPIRED');
  // The seat can be held again.
  assert.equal((await hold(seatId!, 'next-user')).seatId, seatId);
});

test('sweeper: a hold with a PENDING payment is not expired', { timeout: 300_000 }, async () => {
  const { seatIds } = await freshConcert(3);
  const [paidSeat, control1, control2] = seatIds as [number, number, number];
  const h = await hold(paidSeat, 'slow-payer');
  const paymentTxId = randomUUID();
  // The gateway answers after 10 s while the service gives up after 3 s and retries: the
  // payment stays PENDING for longer than the two sweeps this test waits for.
  await withGatewayKnobs({ latencyMs: 10_000 }, async () => {
    const p = await call('POST', `${anyInstance()}/payments`, { paymentTxId, holdId: h.holdId, holdSecret: h.holdSecret, userId: h.userId, amount: 50_000 });
    assert.equal(p.status, 202, JSON.stringify(p.body));
    await sql('UPDATE holds SET expires_at = NOW(3) - INTERVAL 2 SECOND WHERE id = ?', [h.holdId]);
    // "Stays unchanged" has no event to wait for, so this waits for two later sweeps to have
    // demonstrably run: each control hold expires later than the paid one (the sweeper
    // takes the oldest first, in one statement), so once a control is EXPIRED, a sweep has
    // looked at the paid hold and passed over it.
    for (const control of [control1, control2]) {
      const c = await hold(control, 'control');
      await sql('UPDATE holds SET expires_at = NOW(3) - INTERVAL 1 SECOND WHERE id = ?', [c.holdId]);
      await waitFor(async () => (await sql('SELECT status FROM holds WHERE id = ?', [c.holdId]))[0]!.status === 'EXPIRED', {
        timeoutMs: 15_000,
        what: `control hold on seat ${control} to be swept`,
      });
    }
    const [row] = await sql(
      'SELECT h.status AS hold, s.status AS seat, s.hold_id, p.status AS payment FROM holds h JOIN seats s ON s.id = h.seat_id JOIN payment_transactions p ON p.hold_id = h.id WHERE h.id = ?',
      [h.holdId],
    );
    assert.equal(row!.payment, 'PENDING', 'the payment was still PENDING through both sweeps (else this proves nothing)');
    assert.equal(row!.hold, 'ACTIVE');
    assert.equal(row!.seat, 'HELD');
    assert.equal(row!.hold_id, h.holdId);
  });
  // Leave nothing in flight for the next test: with the gateway fast again the payment ends.
  await waitForFinal(paymentTxId, 120_000);
});
