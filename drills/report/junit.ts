import type { DrillJournal } from './journal.ts';

// JUnit XML for CI: one <testsuite> per drill, one <testcase> per probe/check and per
// invariant. A failed check or invariant is a <failure> (with the offending rows); an
// invariant that could not be checked, or a harness error, is an <error>.
// Written by hand, not with junit-report-builder: that would bring lodash, make-dir and
// xmlbuilder 15 (unreleased since 2020) for 40 lines, and changes the output CI and the tests
// read (no failure body but a stacktrace, CDATA, no totals on <testsuites>). The tests parse
// the result with a conforming XML parser instead.

// XML 1.0 allows tab, newline, carriage return, U+0020-U+D7FF, U+E000-U+FFFD and U+10000 up.
// Anything else (control characters, an unpaired surrogate, U+FFFE/U+FFFF) makes the whole
// file unreadable to a CI tool, so it is dropped; in `u` mode a well-formed surrogate pair is
// one code point and does not match.
const esc = (s: string) =>
  s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/gu, '') // eslint-disable-line no-control-regex -- dropping the characters XML 1.0 forbids is the point
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

const secs = (ms: number) => (ms / 1000).toFixed(3);

interface Case {
  name: string;
  ms: number;
  failure?: { message: string; body: string };
  error?: { message: string; body: string };
  out?: string;
}

function casesOf(j: DrillJournal): Case[] {
  const cases: Case[] = j.checks.map((c) => ({ name: `check: ${c.name}`, ms: c.ms, out: c.detail, ...(c.ok ? {} : { failure: { message: c.detail, body: c.detail } }) }));
  for (const i of j.invariants) {
    const body = i.offending.length ? JSON.stringify(i.offending, null, 2) : i.summary;
    cases.push({
      name: `invariant: ${i.name}`,
      ms: i.ms,
      out: i.summary,
      ...(i.status === 'fail' ? { failure: { message: i.summary, body } } : i.status === 'unknown' ? { error: { message: i.summary, body } } : {}),
    });
  }
  if (j.error) cases.push({ name: 'harness', ms: 0, error: { message: j.error, body: j.error } });
  return cases;
}

export function renderJunit(journals: DrillJournal[]): string {
  const suites = journals.map((j) => {
    const cases = casesOf(j);
    const failures = cases.filter((c) => c.failure).length;
    const errors = cases.filter((c) => c.error).length;
    const body = cases
      .map((c) => {
        const inner = [
          c.failure ? `      <failure message="${esc(c.failure.message)}">${esc(c.failure.body)}</failure>` : '',
          c.error ? `      <error message="${esc(c.error.message)}">${esc(c.error.body)}</error>` : '',
          c.out ? `      <system-out>${esc(c.out)}</system-out>` : '',
        ].filter(Boolean);
        return `    <testcase classname="drills.${esc(j.drill)}" name="${esc(c.name)}" time="${secs(c.ms)}">\n${inner.join('\n')}\n    </testcase>`;
      })
      .join('\n');
    return `  <testsuite name="drill ${esc(j.drill)}: ${esc(j.title)}" tests="${cases.length}" failures="${failures}" errors="${errors}" time="${secs(j.durationMs)}" timestamp="${esc(j.startedAt)}">\n    <properties>\n      <property name="runId" value="${esc(j.runId)}"/>\n      <property name="seed" value="${j.seed}"/>\n      <property name="report" value="${esc(j.report)}"/>\n      <property name="verdict" value="${j.verdict}"/>\n    </properties>\n${body}\n  </testsuite>`;
  });
  const tests = journals.reduce((n, j) => n + casesOf(j).length, 0);
  const failures = journals.reduce((n, j) => n + casesOf(j).filter((c) => c.failure).length, 0);
  const errors = journals.reduce((n, j) => n + casesOf(j).filter((c) => c.error).length, 0);
  const time = journals.reduce((n, j) => n + j.durationMs, 0);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="ticketctl drills" tests="${tests}" failures="${failures}" errors="${errors}" time="${secs(time)}">\n${suites.join('\n')}\n</testsuites>\n`;
}
