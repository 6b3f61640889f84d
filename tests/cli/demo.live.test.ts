import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { DEMO_DRILL } from '../../cli/commands/demo/run.ts';
import { ctx, scratch } from './helpers.ts';

// The README's main command (`make demo` = `ticketctl demo`) against the stack under test:
// one booking end to end, the health table of every component, one chaos drill end to end
// with its summary and reports. It expects a healthy stack, as a fresh `make demo` has:
// tests that run before it kill and restart brokers, which leaves partitions off their
// preferred leaders (a WARN row, "Serving, with warnings"), so the precondition is set
// first, with the runbook's own command, instead of depending on which tests ran before.

const s = scratch('demo');

test('ticketctl demo books a seat, prints the health table and runs one drill to a PASS with its reports', { timeout: 600_000 }, async () => {
  const elected = await s.run(['kafka', 'elect-leaders', '--yes', '--output', 'json']);
  assert.equal(elected.exitCode, 0, `${elected.stdout}\n${elected.stderr}`);
  const r = await s.run(['demo'], {}, 540_000);
  assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /Demo booking: seat \d+, payment [0-9a-f-]{36}: SUCCESS/);
  assert.match(r.stdout, /COMPONENT\s+STATUS\s+LATENCY\s+DETAIL[\s\S]*kafka-quorum\s+UP[\s\S]*service-3\s+UP/);
  assert.match(r.stdout, /Healthy\./);
  assert.match(r.stdout, new RegExp(`PASS\\s+drill ${DEMO_DRILL} \\(report 2\\.0\\.1\\)`));
  assert.match(r.stdout, /invariant no-double-sale: \d+ seats checked/);
  const dir = /reports: (\S+) \(junit\.xml/.exec(r.stdout)?.[1];
  assert.ok(dir && dir.startsWith(ctx.paths.root), `reports under the stack dir: ${dir}`);
  const journal = JSON.parse(readFileSync(path.join(dir, `${DEMO_DRILL}.json`), 'utf8'));
  assert.equal(journal.verdict, 'pass');
  assert.ok(existsSync(path.join(dir, 'junit.xml')));
  assert.ok(
    s.audit().some((a) => a.command === 'demo' && a.result === 'ok'),
    'the drill run is in the audit log',
  );
});
