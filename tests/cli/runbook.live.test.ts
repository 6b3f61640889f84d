import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseJson, scratch } from './helpers.ts';
import { ticketctlDialogue } from './tty-dialogue.ts';

// `ticketctl runbook`: the runbooks/ documents listed, shown, and walked through on a
// terminal against the stack under test.

const s = scratch('runbook');

test('runbook list and show describe the documents; an unknown scenario is a usage error with a suggestion', async () => {
  const list = parseJson(await s.run(['runbook', 'list', '-o', 'json']));
  assert.ok(list.runbooks.length >= 10);
  assert.ok(list.runbooks.some((r: any) => r.scenario === 'kafka-broker-down' && r.steps > 3));

  const show = await s.run(['runbook', 'show', 'kafka-broker-down', '-o', 'json']);
  assert.equal(show.exitCode, 0, show.stderr);
  const doc = parseJson(show);
  assert.deepEqual(doc.steps[0].commands, ['ticketctl health']);
  assert.ok(doc.steps.some((st: any) => st.kind === 'verify'));

  const unknown = await s.run(['runbook', 'show', 'broker']);
  assert.equal(unknown.exitCode, 2);
  assert.match(unknown.stderr, /No runbook named "broker"[\s\S]*Did you mean: .*kafka-broker-down/);
});

test('runbook run refuses without a terminal and points at the read-only view', async () => {
  const r = await s.run(['runbook', 'run', 'consumer-lag']);
  assert.equal(r.exitCode, 2);
  assert.match(r.stderr, /needs a terminal[\s\S]*ticketctl runbook show consumer-lag/);
});

test('runbook run: the operator runs the diagnosis, then quits; recovery is not claimed', async () => {
  const r = await ticketctlDialogue(
    ['runbook', 'run', 'kafka-broker-down'],
    [
      { after: /\$ ticketctl health\s+run\?/, type: 'r' },
      { after: /\$ ticketctl kafka brokers\s+run\?/, type: 'q' },
    ],
    s.env,
  );
  assert.equal(r.unanswered, 0, r.stdout);
  assert.match(r.stdout, /COMPONENT\s+STATUS/, 'the health table of the real stack was printed');
  assert.match(r.stdout, /→ exit 0: ok/);
  assert.match(r.stdout, /Stopped by the operator/);
  assert.match(r.stdout, /Recovery not verified: 0 of 3/);
  assert.equal(r.exitCode, 1);
});

test('runbook run: skipping to the checks of a healthy stack verifies recovery (exit 0)', async () => {
  const skip = (cmd: RegExp) => ({ after: cmd, type: 's' });
  const run = (cmd: RegExp) => ({ after: cmd, type: 'r' });
  const r = await ticketctlDialogue(
    ['runbook', 'run', 'kafka-broker-down'],
    [
      skip(/ticketctl health\s+run\?/),
      skip(/kafka brokers\s+run\?/),
      skip(/kafka describe payment\.success\s+run\?/),
      { after: /Value for <id>/, type: '2' },
      skip(/restart-broker 2 --dry-run\s+run\?/),
      skip(/restart-broker 2\s+run\?/),
      skip(/elect-leaders --dry-run\s+run\?/),
      skip(/elect-leaders\s+run\?/),
      run(/kafka describe payment\.success\s+run\?/),
      run(/ticketctl health\s+run\?/),
      run(/consumers lag\s+run\?/),
    ],
    s.env,
    240_000,
  );
  assert.equal(r.unanswered, 0, r.stdout);
  assert.match(r.stdout, /Summary[\s\S]*7 \(verify\)\s+ticketctl consumers lag\s+exit 0/);
  assert.match(r.stdout, /Recovery verified: all 3 check\(s\)/);
  assert.equal(r.exitCode, 0, r.stdout);
});
