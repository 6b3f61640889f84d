import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyTimeline, recoveryTimes } from '../timing.ts';
import { verdictOf, type DrillJournal } from './journal.ts';
import { renderJunit } from './junit.ts';

function journal(over: Partial<DrillJournal> = {}): DrillJournal {
  const timeline = { ...emptyTimeline(), injectedAt: 1000, detectedAt: 1500, detectedBy: 'health-db', healedAt: 11_000, steadyAt: 14_000, drainedAt: 20_000 };
  return {
    drill: 'db-pool-starvation',
    title: 'Pool <starvation> & "friends"',
    report: '2.3.1',
    runId: 'r1',
    seed: 42,
    verdict: 'pass',
    error: null,
    startedAt: '2026-11-25T11:00:00.000Z',
    durationMs: 65_432,
    blastRadius: { proxies: ['mariadb'], processes: [], other: [] },
    concertId: 1,
    faults: [],
    checks: [
      { name: 'steady state before the fault', ok: true, detail: 'fine', ms: 120 },
      { name: 'backlog drained after heal', ok: false, detail: 'PENDING 2', ms: 90_000 },
    ],
    invariants: [
      { name: 'no-double-sale', status: 'pass', summary: '12 seats', offending: [], ms: 10 },
      { name: 'payments-final', status: 'fail', summary: '2 still PENDING', offending: [{ payment_tx_id: 'a<b' }], ms: 11 },
      { name: 'no-orphan-locks', status: 'unknown', summary: 'could not check: ECONNREFUSED', offending: [], ms: 12 },
    ],
    timeline,
    times: recoveryTimes(timeline),
    load: { planned: 1, holds: {}, payments: {}, accepted: 0, latency: {} },
    ...over,
  };
}

test('one testcase per check and per invariant; failures carry the offending rows, unknown is an error', () => {
  const xml = renderJunit([journal()]);
  assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="ticketctl drills" tests="5" failures="2" errors="1" time="65.432">/);
  assert.match(xml, /<testsuite name="drill db-pool-starvation: Pool &lt;starvation&gt; &amp; &quot;friends&quot;" tests="5" failures="2" errors="1"/);
  assert.equal(xml.match(/<testcase /g)?.length, 5);
  assert.match(xml, /<testcase classname="drills.db-pool-starvation" name="invariant: payments-final" time="0.011">\n      <failure message="2 still PENDING">\[\n  \{\n    &quot;payment_tx_id&quot;: &quot;a&lt;b&quot;/);
  assert.match(xml, /name="invariant: no-orphan-locks"[^]*?<error message="could not check: ECONNREFUSED">/);
  assert.match(xml, /name="check: backlog drained after heal" time="90.000">\n      <failure message="PENDING 2">/);
  assert.match(xml, /<property name="seed" value="42"\/>/);
  assert.doesNotMatch(xml.replace(/<\?xml[^>]*>/, ''), /[<]([^a-zA-Z/!?])/, 'no stray < in text');
});

test('a harness error is one more error testcase', () => {
  const xml = renderJunit([journal({ checks: [], invariants: [], error: 'fault never showed' })]);
  assert.match(xml, /tests="1" failures="0" errors="1"/);
  assert.match(xml, /<testcase classname="drills.db-pool-starvation" name="harness" time="0.000">\n      <error message="fault never showed">/);
});

test('verdict: a broken invariant is "fail", a harness error or unknown is "error"', () => {
  assert.equal(verdictOf(journal()), 'fail');
  assert.equal(verdictOf(journal({ checks: [], invariants: [] })), 'pass');
  assert.equal(verdictOf(journal({ checks: [], invariants: [{ name: 'no-double-sale', status: 'unknown', summary: '', offending: [], ms: 0 }] })), 'error');
  assert.equal(verdictOf(journal({ checks: [{ name: 'steady', ok: false, detail: '', ms: 0 }], invariants: [] })), 'fail');
  assert.equal(verdictOf(journal({ error: 'x', invariants: [] })), 'error');
});

test('recovery times derive from the timeline; missing moments stay null', () => {
  assert.deepEqual(journal().times, { timeToDetectMs: 500, timeToMitigateMs: null, faultDurationMs: 10_000, timeToRecoverMs: 3000, timeToDrainMs: 9000 });
  assert.deepEqual(recoveryTimes({ ...emptyTimeline(), injectedAt: 5 }), { timeToDetectMs: null, timeToMitigateMs: null, faultDurationMs: null, timeToRecoverMs: null, timeToDrainMs: null });
});
