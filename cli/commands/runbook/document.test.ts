import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fillPlaceholders, parseRunbook, placeholders, RunbookFormatError, shellWords } from './document.ts';

const doc = `# Broker down

## Symptoms
Lag grows.

## Alerts
- kafka_broker_online < 2

## Steps
### 1. Diagnose
Which broker?

\`\`\`sh
ticketctl kafka brokers
\`\`\`
Expected:
\`\`\`text
ID  REACHABLE
\`\`\`

### 2. Restart it
\`\`\`sh
# a comment line is not a command
ticketctl kafka restart-broker <id> --dry-run
ticketctl kafka restart-broker <id>
\`\`\`

## Verify recovery
### 3. Leaders back
\`\`\`sh
ticketctl kafka describe payment.success
\`\`\`
`;

test('steps, their commands and their kind come from the headings and sh blocks', () => {
  const rb = parseRunbook(doc);
  assert.equal(rb.title, 'Broker down');
  assert.deepEqual(rb.sections.get('Symptoms'), ['Lag grows.']);
  assert.deepEqual(
    rb.steps.map((s) => [s.number, s.kind, s.commands.length]),
    [
      [1, 'step', 1],
      [2, 'step', 2],
      [3, 'verify', 1],
    ],
  );
  assert.deepEqual(rb.steps[1]!.commands, ['ticketctl kafka restart-broker <id> --dry-run', 'ticketctl kafka restart-broker <id>']);
  assert.ok(rb.steps[0]!.text.includes('  ID  REACHABLE'), 'expected output stays in the prose, indented');
});

test('a runbook without a required section, a verify command or in-order numbers is rejected', () => {
  assert.throws(() => parseRunbook(doc.replace('## Alerts', '## Alarms')), /missing section\(s\) "## Alerts"/);
  assert.throws(() => parseRunbook(doc.replace('### 3. Leaders back', '### 4. Leaders back')), /numbered 4, expected 3/);
  assert.throws(() => parseRunbook(doc.replace('ticketctl kafka describe payment.success', 'kafka-topics --describe')), RunbookFormatError);
  assert.throws(() => parseRunbook(doc + '```sh\n'), /never closed/);
});

test('shell words honour quotes and drop trailing comments', () => {
  assert.deepEqual(shellWords(`ticketctl payments duplicates --since '2026-11-25 10:00' -o json # why`), ['ticketctl', 'payments', 'duplicates', '--since', '2026-11-25 10:00', '-o', 'json']);
  assert.deepEqual(shellWords('a "b \\"c\\"" d\\ e ""'), ['a', 'b "c"', 'd e', '']);
  assert.throws(() => shellWords("a 'b"), /unclosed/);
});

test('placeholders are listed once and filled by name', () => {
  const line = 'ticketctl kafka restart-broker <id> --timeout <seconds> # <id> again';
  assert.deepEqual(placeholders(line), ['id', 'seconds']);
  assert.equal(fillPlaceholders('x <id> <other>', { id: '2' }), 'x 2 <other>');
});
