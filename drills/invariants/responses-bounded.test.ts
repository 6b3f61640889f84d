import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateDrill } from '../format/validate.ts';
import { drillTargets } from '../format/files.ts';
import { createTopology } from '../../contracts/topology.ts';
import type { OpResult } from '../load/run.ts';
import { responsesBounded } from './responses-bounded.ts';
import type { InvariantEnv, RunScope } from './types.ts';

// The one invariant judged from the load's own record (what users saw), so pure logic.

const drill = validateDrill(
  {
    name: 'x',
    title: 't',
    report: 'r',
    description: 'd',
    faults: [{ type: 'proxy-down', proxies: ['mariadb'] }],
    detect: { probes: ['health-db'] },
    load: { seats: 4 },
    responses: { maxMs: 5000, max503Ms: 3000, errorStatuses: [500], maxErrorRate: 0.25 },
    invariants: ['responses-bounded'],
  },
  'x.json',
  drillTargets(createTopology()),
);

const op = (i: number, status: number, ms: number, retryAfter: string | null = null, payment?: number): OpResult => ({
  i,
  seatId: 100 + i,
  userId: `u${i}`,
  instance: 0,
  startedAt: 0,
  hold: { status, ms, retryAfter, code: null },
  ...(payment ? { payment: { paymentTxId: `p${i}`, status: payment, ms: 10, retryAfter: null, code: null } } : {}),
});

const check = (load: OpResult[]) => responsesBounded.check({} as InvariantEnv, { drill, load } as RunScope);

test('passes when answers are quick, 503s fast with Retry-After, errors within the rate', async () => {
  const r = await check([op(0, 201, 20, null, 202), op(1, 409, 15), op(2, 503, 2000, '1'), op(3, 500, 40)]);
  assert.equal(r.status, 'pass', r.summary);
  assert.match(r.summary, /^5 answers \(.*1x500.*\), slowest 2000 ms, error rate 20\.0 %$/);
});

test('fails with the offending answers: a hang, a slow 503, a 503 without Retry-After, too many errors', async () => {
  const r = await check([op(0, 0, 30_000), op(1, 503, 3500, '1'), op(2, 503, 100), op(3, 500, 10), op(4, 500, 10), op(5, 201, 6000)]);
  assert.equal(r.status, 'fail');
  const problems = r.offending.map((x: any) => x.problem);
  assert.ok(problems.some((p: string) => /^no answer/.test(p)));
  assert.ok(problems.includes('answered after 6000 ms > 5000'));
  assert.ok(problems.includes('503 after 3500 ms > 3000'));
  assert.ok(problems.includes('503 without Retry-After'));
  assert.equal(problems.filter((p: string) => p === 'error status 500').length, 2, 'error rate 2/6 > 25 %');
  assert.equal((r.offending[0] as any).seatId, 100);
});
