import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgePartition, lagOf, worstVerdict, type OffsetSample } from './verdict.ts';

// Samples one second apart: [committed, logEnd] pairs; logStart 0.
const window = (...points: Array<[number | null, number]>): OffsetSample[] => points.map(([committed, logEnd], i) => ({ atMs: i * 1000, committed, logStart: 0, logEnd }));
const judge = (samples: OffsetSample[], members = 3, assigned: boolean | null = true) => judgePartition({ samples, members, assigned });

test('lag: log end minus committed; without a commit (or below the log start) from the log start', () => {
  assert.equal(lagOf({ atMs: 0, committed: 7, logStart: 0, logEnd: 10 }), 3);
  assert.equal(lagOf({ atMs: 0, committed: null, logStart: 4, logEnd: 10 }), 6);
  assert.equal(lagOf({ atMs: 0, committed: 2, logStart: 4, logEnd: 10 }), 6);
  assert.equal(lagOf({ atMs: 0, committed: 12, logStart: 0, logEnd: 10 }), 0);
});

test('rule 1: lag zero anywhere in the window is OK, even with no member or no commit', () => {
  assert.equal(judge(window([10, 10], [10, 15], [10, 20])).verdict, 'OK');
  assert.equal(judge(window([null, 0], [null, 0]), 0, false).verdict, 'OK');
  assert.match(judge(window([5, 5], [5, 9])).reason, /caught up within the window, lag now 4/);
});

test('rule 2: a committed offset going back is REWIND, before anything else', () => {
  const j = judge(window([8, 20], [3, 20], [5, 20]), 0);
  assert.equal(j.verdict, 'REWIND');
  assert.match(j.reason, /from 8 to 3/);
});

test('rule 3: no commit at all, no member, or no owner is STOP', () => {
  assert.equal(judge(window([null, 5], [null, 6])).verdict, 'STOP');
  assert.match(judge(window([null, 5])).reason, /no committed offset, 5 message/);
  const noMember = judge(window([3, 9], [3, 9]), 0);
  assert.equal(noMember.verdict, 'STOP');
  assert.match(noMember.reason, /no member/);
  assert.equal(judge(window([3, 9], [4, 9]), 2, false).verdict, 'STOP');
  // Rebalancing (ownership unknown) is not STOP.
  assert.equal(judge(window([3, 9], [4, 9]), 2, null).verdict, 'OK');
});

test('rule 4: members but a committed offset that never moves while lagging is STALL', () => {
  const j = judge(window([4, 9], [4, 9], [4, 12]));
  assert.equal(j.verdict, 'STALL');
  assert.equal(j.lag, 8);
  assert.match(j.reason, /stuck at 4 for 2\.0 s/);
});

test('rule 5: offsets advance but the lag never decreases is WARN; any decrease is OK', () => {
  assert.equal(judge(window([4, 9], [6, 12], [8, 16])).verdict, 'WARN');
  assert.equal(judge(window([4, 9], [6, 11], [8, 13])).verdict, 'WARN'); // flat lag: not catching up
  const ok = judge(window([4, 9], [6, 12], [10, 13]));
  assert.equal(ok.verdict, 'OK');
  assert.match(ok.reason, /catching up \(5 -> 3\)/);
});

test('one sample (--window 0): only OK and STOP can be told apart', () => {
  const j = judge(window([4, 9]));
  assert.equal(j.verdict, 'OK');
  assert.match(j.reason, /one sample/);
  assert.equal(judge(window([4, 9]), 0).verdict, 'STOP');
});

test("a group's verdict is its worst partition's", () => {
  assert.equal(worstVerdict([]), 'OK');
  assert.equal(worstVerdict(['OK', 'WARN', 'OK']), 'WARN');
  assert.equal(worstVerdict(['WARN', 'STALL']), 'STALL');
  assert.equal(worstVerdict(['STALL', 'STOP', 'REWIND']), 'STOP');
  assert.throws(() => judgePartition({ samples: [], members: 1, assigned: true }), RangeError);
});
