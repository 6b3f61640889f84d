import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS_DIR } from '../db/paths.ts';
import { HOLD, HOLD_STATUSES, MOVES, PAYMENT, PAYMENT_STATUSES, SEAT, SEAT_STATUSES, applies, canTransition, finalStates, fromStates, type Transition } from './state-machine.ts';

test('payments: the saga, cancellation, refunds and reprocess are the only ways on', () => {
  const allowed: Array<[string | null, string]> = [
    [null, 'PENDING'],
    ['PENDING', 'PENDING'],
    ['PENDING', 'SUCCESS'],
    ['PENDING', 'FAILED'],
    ['SUCCESS', 'CANCELLED'],
    ['SUCCESS', 'REFUNDED'],
    ['FAILED', 'PENDING'],
  ];
  for (const from of [null, ...PAYMENT_STATUSES]) {
    for (const to of PAYMENT_STATUSES) {
      const want = allowed.some(([f, t]) => f === from && t === to);
      assert.equal(canTransition(PAYMENT, from, to), want, `${from} -> ${to}`);
    }
  }
  assert.deepEqual(finalStates(PAYMENT, PAYMENT_STATUSES), ['CANCELLED', 'REFUNDED']);
});

test('holds: created ACTIVE; a paid hold never expires; a cancelled one never comes back', () => {
  assert.equal(canTransition(HOLD, null, 'ACTIVE'), true);
  assert.equal(canTransition(HOLD, null, 'PAID'), false);
  assert.equal(canTransition(HOLD, 'ACTIVE', 'PAID'), true);
  assert.equal(canTransition(HOLD, 'ACTIVE', 'EXPIRED'), true);
  assert.equal(canTransition(HOLD, 'PAID', 'EXPIRED'), false);
  assert.equal(canTransition(HOLD, 'PAID', 'RELEASED'), true);
  assert.equal(canTransition(HOLD, 'PAID', 'CANCELLED'), true);
  assert.equal(canTransition(HOLD, 'EXPIRED', 'ACTIVE'), true, 'reprocess revives an expired hold');
  assert.equal(canTransition(HOLD, 'RELEASED', 'ACTIVE'), true, 'reprocess revives a released hold');
  assert.equal(canTransition(HOLD, 'CANCELLED', 'ACTIVE'), false);
  assert.equal(canTransition(HOLD, 'EXPIRED', 'PAID'), false);
  assert.deepEqual(finalStates(HOLD, HOLD_STATUSES), ['CANCELLED']);
});

test('seats: sold only from HELD, never held again before it is released', () => {
  assert.equal(canTransition(SEAT, null, 'AVAILABLE'), true);
  assert.equal(canTransition(SEAT, 'AVAILABLE', 'HELD'), true);
  assert.equal(canTransition(SEAT, 'AVAILABLE', 'SOLD'), false);
  assert.equal(canTransition(SEAT, 'HELD', 'SOLD'), true);
  assert.equal(canTransition(SEAT, 'HELD', 'AVAILABLE'), true);
  assert.equal(canTransition(SEAT, 'SOLD', 'AVAILABLE'), true, 'a cancelled sale frees the seat');
  assert.equal(canTransition(SEAT, 'SOLD', 'HELD'), false);
  assert.equal(applies(SEAT.expire, 'SOLD'), false, 'the sweeper never frees a sold seat');
  assert.deepEqual(finalStates(SEAT, SEAT_STATUSES), []);
});

test('fromStates gives the WHERE list of a transition: existing states only', () => {
  assert.deepEqual(fromStates(PAYMENT.charge), ['PENDING']);
  assert.deepEqual(fromStates(PAYMENT.request), []);
  assert.deepEqual(fromStates(HOLD.release), ['ACTIVE', 'PAID']);
});

test('every move names transitions that exist, and every state is reachable from a new row', () => {
  const machines: Record<string, Record<string, Transition<string>>> = { payment: PAYMENT, hold: HOLD, seat: SEAT };
  for (const [name, move] of Object.entries(MOVES)) {
    for (const [table, transition] of Object.entries(move)) assert.ok(machines[table]?.[transition as string], `move ${name}: ${table}.${transition}`);
  }
  for (const [table, all] of [
    ['payment', PAYMENT_STATUSES],
    ['hold', HOLD_STATUSES],
    ['seat', SEAT_STATUSES],
  ] as const) {
    const machine = Object.values(machines[table]!);
    const reached = new Set<string | null>([null]);
    for (let grew = true; grew;) {
      grew = false;
      for (const t of machine) {
        if (!reached.has(t.to) && t.from.some((f) => reached.has(f))) {
          reached.add(t.to);
          grew = true;
        }
      }
    }
    assert.deepEqual(
      all.filter((s) => !reached.has(s)),
      [],
      `${table} states no change reaches`,
    );
  }
});

test('the statuses are the ENUMs of the migrations', () => {
  const sql = readdirSync(MIGRATIONS_DIR)
    .filter((f) => f.endsWith('.sql'))
    .map((f) => readFileSync(join(MIGRATIONS_DIR, f), 'utf8'))
    .join('\n');
  const enumOf = (table: string) => {
    const create = new RegExp(`CREATE TABLE IF NOT EXISTS ${table} \\(([\\s\\S]*?)\\) ENGINE`).exec(sql)?.[1];
    const values = /\bstatus ENUM\(([^)]*)\)/.exec(create ?? '')?.[1];
    assert.ok(values, `no status ENUM in CREATE TABLE ${table}`);
    return values.split(',').map((v) => v.trim().replace(/^'|'$/g, ''));
  };
  assert.deepEqual(enumOf('payment_transactions'), [...PAYMENT_STATUSES]);
  assert.deepEqual(enumOf('holds'), [...HOLD_STATUSES]);
  assert.deepEqual(enumOf('seats'), [...SEAT_STATUSES]);
});
