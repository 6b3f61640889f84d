import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { selectContext } from '../../clients/context.ts';
import { openLockRedis } from '../../cli/commands/locks/redis.ts';
import { freshConcert, hold } from '../helpers/service.ts';
import { ctx, parseJson, scratch } from './helpers.ts';
import { seatLockKey } from '../../contracts/seat-lock.ts';
import { heartbeatKey, parseHeartbeat } from '../../contracts/heartbeat.ts';

// Report 2.0.1 on the real stack: a seat lock left behind by an instance that no longer
// runs (service-9: no heartbeat, no TTL) is listed as owner-gone, survives a dry run and a refusal, and
// is force-released; a lock whose owner still runs (service-1) is skipped, and a second
// run finds nothing to do. The locks are written straight into Redis, where the service
// keeps them (its master, through the proxy).

const s = scratch('locks');
const redis = new Redis({ host: ctx.topology.host, port: ctx.topology.redis.masterProxy, lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
let deadSeat: number; // a real live hold, and a stuck lock of a dead owner on top
let liveSeat: number; // a lock of service-1, which runs
let deadValue: string;
let liveValue: string;
const value = (owner: string, ageMs: number) => JSON.stringify({ token: randomUUID(), owner, since: Date.now() - ageMs });

before(async () => {
  await redis.connect();
  const { seatIds } = await freshConcert(3);
  [deadSeat, liveSeat] = [seatIds[0]!, seatIds[1]!];
  await hold(deadSeat, `u-${randomUUID().slice(0, 8)}`);
  deadValue = value('service-9', 60_000);
  liveValue = value('service-1', 60_000);
  await redis.set(seatLockKey(deadSeat), deadValue); // no TTL: it would never expire
  await redis.set(seatLockKey(liveSeat), liveValue, 'PX', 600_000);
});

after(async () => {
  await redis.del(seatLockKey(deadSeat), seatLockKey(liveSeat));
  redis.disconnect();
});

const seats = () => ['--seat', String(deadSeat), String(liveSeat)];

test("locks list: the dead owner's lock is owner-gone and never expires, with the seat's live hold; JSON keys as documented", { timeout: 60_000 }, async () => {
  const r = await s.run(['locks', 'list', ...seats(), '-o', 'json']);
  assert.equal(r.exitCode, 1, `a stuck lock is a finding (exit 1): ${r.stderr}`);
  const report = parseJson(r);
  assert.deepEqual(Object.keys(report), ['context', 'redis', 'redisRole', 'checkedAt', 'filter', 'instances', 'summary', 'locks', 'dbError']);
  assert.equal(report.redis, `127.0.0.1:${ctx.topology.redis.masterProxy}`);
  assert.equal(report.redisRole, 'master');
  assert.equal(report.dbError, null);
  assert.ok(
    report.instances.some((i: any) => i.instanceId === 'service-1'),
    JSON.stringify(report.instances),
  );
  const dead = report.locks.find((l: any) => l.seatId === deadSeat);
  assert.deepEqual(Object.keys(dead), ['key', 'seatId', 'value', 'owner', 'since', 'ageMs', 'ttlMs', 'neverExpires', 'ownerState', 'ownerUrl', 'hold']);
  assert.deepEqual([dead.owner, dead.ownerState, dead.ttlMs, dead.neverExpires, dead.value], ['service-9', 'gone', null, true, deadValue]);
  assert.ok(dead.ageMs >= 60_000, `age ${dead.ageMs} comes from since, not PTTL`);
  assert.equal(dead.hold?.status, 'ACTIVE');
  const live = report.locks.find((l: any) => l.seatId === liveSeat);
  assert.deepEqual([live.owner, live.ownerState, live.ownerUrl, live.neverExpires], ['service-1', 'alive', `http://127.0.0.1:${ctx.topology.servicePort(1)}`, false]);
  assert.ok(live.ttlMs > 500_000 && live.ttlMs <= 600_000, `ttl ${live.ttlMs}`);
  assert.deepEqual(report.summary, { locks: 2, ownerAlive: 1, ownerGone: 1, ownerUnknown: 0, neverExpire: 1 });
  assert.match(r.stderr, /1 stuck lock\(s\).*ticketctl locks release --dry-run/);

  const young = await s.run(['locks', 'list', ...seats(), '--older-than', '2h', '-o', 'json']);
  assert.equal(parseJson(young).locks.length, 0, '--older-than filters by real age');
  assert.equal(young.exitCode, 0, 'nothing stuck among the listed locks: exit 0');
  const table = await s.run(['locks', 'list', ...seats(), '-o', 'table']);
  assert.match(table.stdout, new RegExp(`${deadSeat}\\s+service-9 \\(gone\\)\\s+1m \\d+s\\s+none \\(never expires\\)\\s+ACTIVE`));
});

test("locks release: dry run and a refusal change nothing; --yes deletes the dead owner's lock only; a second run has nothing to do", { timeout: 60_000 }, async () => {
  const dry = await s.run(['locks', 'release', ...seats(), '--dry-run', '-o', 'json']);
  assert.equal(dry.exitCode, 0, dry.stderr);
  const plan = parseJson(dry).plan;
  assert.deepEqual(
    plan.data.release.map((l: any) => [l.key, l.value]),
    [[seatLockKey(deadSeat), deadValue]],
  );
  assert.deepEqual(
    plan.data.skipped.map((l: any) => l.key),
    [seatLockKey(liveSeat)],
  );
  assert.match(plan.data.skipped[0].reason, /owner service-1 is alive/);
  assert.ok(plan.notes.some((n: string) => /no undo is possible/.test(n)));
  assert.equal(await redis.get(seatLockKey(deadSeat)), deadValue, '--dry-run deleted nothing');

  const refused = await s.run(['locks', 'release', ...seats()]);
  assert.equal(refused.exitCode, 2);
  assert.match(refused.stderr, /re-run with --yes after reviewing --dry-run/);
  assert.equal(await redis.get(seatLockKey(deadSeat)), deadValue, 'refused: nothing deleted');

  const r = await s.run(['locks', 'release', ...seats(), '--yes', '-o', 'json']);
  assert.equal(r.exitCode, 0, r.stderr);
  const out = parseJson(r);
  assert.equal(out.result, 'ok');
  assert.deepEqual(out.outcome, { released: [seatLockKey(deadSeat)], changed: [], alreadyGone: [] });
  assert.equal(await redis.exists(seatLockKey(deadSeat)), 0);
  assert.equal(await redis.get(seatLockKey(liveSeat)), liveValue, "the live owner's lock is kept");
  assert.deepEqual(
    s.audit().map((a) => a.result),
    ['refused', 'ok'],
  );

  const again = await s.run(['locks', 'release', ...seats(), '--yes', '-o', 'json']);
  assert.equal(again.exitCode, 0, again.stderr);
  assert.deepEqual([parseJson(again).result, parseJson(again).plan.steps], ['noop', []]);
  const listed = await s.run(['locks', 'list', ...seats(), '-o', 'json']);
  assert.equal(listed.exitCode, 0, `only the live owner's lock is left: not stuck (${listed.stderr})`);
});

test('compare-and-delete: a lock taken again, or renewed, after the plan was read is left alone', { timeout: 30_000 }, async () => {
  const key = seatLockKey(deadSeat);
  const planned = value('service-9', 60_000);
  const retaken = value('service-2', 0);
  await redis.set(key, retaken, 'PX', 30_000);
  const lr = await openLockRedis(selectContext(undefined, undefined, { TICKETCTL_STACK_DIR: ctx.paths.root, TICKETCTL_PORT_OFFSET: String(ctx.topology.portOffset) }));
  try {
    assert.equal(await lr.compareAndDelete(key, planned, 30_000), 'changed', 'another value');
    assert.equal(await redis.get(key), retaken);
    // The same value, its expiry pushed up after the plan read its PTTL: a renewal by a live owner.
    const readPttl = await redis.pttl(key);
    await redis.pexpire(key, 60_000);
    assert.equal(await lr.compareAndDelete(key, retaken, readPttl), 'changed', 'renewed since the plan');
    assert.equal(await redis.get(key), retaken);
    // A lock without expiry that got one since (a renewal), and the reverse, are changed too.
    await redis.persist(key);
    assert.equal(await lr.compareAndDelete(key, retaken, 30_000), 'changed', 'expiry removed since the plan');
    await redis.pexpire(key, 30_000);
    assert.equal(await lr.compareAndDelete(key, retaken, -1), 'changed', 'expiry set since the plan');
    // Untouched since the plan read it: its PTTL can only have fallen.
    const now = await redis.pttl(key);
    assert.equal(await lr.compareAndDelete(key, retaken, now), 'released');
    assert.equal(await lr.compareAndDelete(key, retaken, now), 'gone');
  } finally {
    lr.close();
  }
});

test('owners are judged by their heartbeat: an instance nothing answers for is alive while its key is fresh, gone once it is not', { timeout: 60_000 }, async () => {
  const own = await redis.get(heartbeatKey('service-1'));
  assert.ok(own, 'service-1 beats');
  assert.equal(parseHeartbeat(own)?.url, `http://127.0.0.1:${ctx.topology.servicePort(1)}`);
  // A ghost: no process, no URL that answers, only a fresh heartbeat (as behind a load balancer).
  const ghost = `ghost-${randomUUID().slice(0, 6)}`;
  const key = seatLockKey(deadSeat);
  const lock = value(ghost, 60_000);
  await redis.set(key, lock);
  await redis.set(heartbeatKey(ghost), JSON.stringify({ instanceId: ghost, url: 'http://10.0.0.9:3001', session: randomUUID(), startedAt: Date.now(), at: Date.now() }), 'PX', 60_000);
  try {
    const alive = parseJson(await s.run(['locks', 'release', '--seat', String(deadSeat), '--dry-run', '-o', 'json'])).plan.data;
    assert.deepEqual(alive.release, [], 'a fresh heartbeat keeps the lock');
    assert.match(alive.skipped[0].reason, new RegExp(`owner ${ghost} is alive`));
    await redis.del(heartbeatKey(ghost)); // what its expiry does once the ghost stops beating
    const gone = parseJson(await s.run(['locks', 'release', '--seat', String(deadSeat), '--dry-run', '-o', 'json'])).plan.data;
    assert.deepEqual(
      gone.release.map((l: any) => l.key),
      [key],
    );
    assert.match(gone.release[0].reason, /no fresh heartbeat/);
  } finally {
    await redis.del(key, heartbeatKey(ghost));
  }
});

test('locks: a bad duration or seat id is a usage error (exit 2)', { timeout: 30_000 }, async () => {
  for (const args of [
    ['locks', 'release', '--older-than', 'soon', '--dry-run'],
    ['locks', 'list', '--older-than', '10'],
    ['locks', 'list', '--seat', 'A-12'],
  ]) {
    const r = await s.run(args);
    assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /--older-than must be a duration|--seat must be a whole number/);
  }
});
