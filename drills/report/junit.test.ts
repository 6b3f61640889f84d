import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyTimeline, recoveryTimes } from '../timing.ts';
import { verdictOf, type DrillJournal } from './journal.ts';
import { renderJunit } from './junit.ts';
import { SaxesParser } from 'saxes';

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  text: string;
}

/** Reads the XML with a conforming XML 1.0 parser (saxes: well-formedness and every character), as a CI tool would. */
function parseXml(xml: string): XmlElement[] {
  const parser = new SaxesParser();
  const elements: XmlElement[] = [];
  const open: XmlElement[] = [];
  const errors: string[] = [];
  parser.on('error', (e) => void errors.push(e.message));
  parser.on('opentag', (t) => {
    const el = { name: t.name, attributes: t.attributes as Record<string, string>, text: '' };
    elements.push(el);
    open.push(el);
  });
  parser.on('text', (t) => {
    if (open.length > 0) open.at(-1)!.text += t;
  });
  parser.on('closetag', () => void open.pop());
  parser.write(xml).close();
  assert.deepEqual(errors, [], 'the XML parses');
  return elements;
}

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
  assert.match(
    xml,
    /<testcase classname="drills.db-pool-starvation" name="invariant: payments-final" time="0.011">\n {6}<failure message="2 still PENDING">\[\n {2}\{\n {4}&quot;payment_tx_id&quot;: &quot;a&lt;b&quot;/,
  );
  assert.match(xml, /name="invariant: no-orphan-locks"[^]*?<error message="could not check: ECONNREFUSED">/);
  assert.match(xml, /name="check: backlog drained after heal" time="90.000">\n {6}<failure message="PENDING 2">/);
  assert.match(xml, /<property name="seed" value="42"\/>/);
  assert.doesNotMatch(xml.replace(/<\?xml[^>]*>/, ''), /[<]([^a-zA-Z/!?])/, 'no stray < in text');
});

test('a conforming XML parser reads it back: the structure, and every text and attribute as the drill wrote it', () => {
  const j = journal();
  const elements = parseXml(renderJunit([j, journal({ drill: 'redis-partition', title: 'Redis cut off', verdict: 'pass', checks: [], invariants: [] })]));
  const named = (name: string) => elements.filter((e) => e.name === name);
  assert.deepEqual(
    named('testsuites').map((e) => [e.attributes.tests, e.attributes.failures, e.attributes.errors]),
    [['5', '2', '1']],
  );
  assert.deepEqual(
    named('testsuite').map((e) => e.attributes.name),
    ['drill db-pool-starvation: Pool <starvation> & "friends"', 'drill redis-partition: Redis cut off'],
  );
  assert.equal(named('testcase').length, 5);
  const failures = named('failure');
  assert.deepEqual(
    failures.map((f) => f.attributes.message),
    ['PENDING 2', '2 still PENDING'],
  );
  assert.deepEqual(JSON.parse(failures[1]!.text), [{ payment_tx_id: 'a<b' }], 'the offending rows come back as written');
  assert.deepEqual(
    named('error').map((e) => e.attributes.message),
    ['could not check: ECONNREFUSED'],
  );
  assert.deepEqual(
    named('property')
      .slice(0, 4)
      .map((p) => [p.attributes.name, p.attributes.value]),
    [
      ['runId', 'r1'],
      ['seed', '42'],
      ['report', '2.3.1'],
      ['verdict', 'pass'],
    ],
  );
});

test('characters XML 1.0 cannot carry are dropped (the file stays readable); everything else survives', () => {
  const hostile = 'nul\u0000 bell\u0007 esc\u001b[31m lone\ud800 pair😀 nonchar\uffff ]]> <b>&amp; "q" \'a\' 東京';
  const kept = 'nul bell esc[31m lone pair😀 nonchar ]]> <b>&amp; "q" \'a\' 東京';
  const elements = parseXml(renderJunit([journal({ checks: [{ name: `check ${hostile}`, ok: false, detail: hostile, ms: 1 }], invariants: [], error: hostile })]));
  const failure = elements.find((e) => e.name === 'failure')!;
  assert.equal(failure.attributes.message, kept);
  assert.equal(failure.text, kept);
  assert.equal(elements.find((e) => e.name === 'system-out')!.text, kept);
  assert.equal(elements.find((e) => e.name === 'testcase')!.attributes.name, `check: check ${kept}`);
  assert.equal(elements.find((e) => e.name === 'error')!.text, kept, 'the harness error too');
});

test('a harness error is one more error testcase', () => {
  const xml = renderJunit([journal({ checks: [], invariants: [], error: 'fault never showed' })]);
  assert.match(xml, /tests="1" failures="0" errors="1"/);
  assert.match(xml, /<testcase classname="drills.db-pool-starvation" name="harness" time="0.000">\n {6}<error message="fault never showed">/);
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
