import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { Command } from 'commander';
import { buildProgram } from '../../cli/main.ts';
import { loadRunbook, RUNBOOKS_DIR, scenarioNames } from '../../cli/commands/runbook/catalog.ts';
import { fillPlaceholders, placeholders, shellWords } from '../../cli/commands/runbook/document.ts';

// Every command a runbook tells an on-call engineer to type must exist in ticketctl and
// parse with the flags as written: a renamed command or flag fails here, not at 3 a.m.
// Commands are parsed by ticketctl's own command tree with every action replaced by a
// no-op, so nothing runs; placeholders get the sample values below.

const SAMPLES: Record<string, string> = { id: '2', message: '0:12', scenario: 'consumer-lag', topic: 'payment.success', count: '4', seat: '17', payment: 'p-1' };

function parserOnly(): { program: Command; errors: string[] } {
  const errors: string[] = [];
  const program = buildProgram(() => {
    throw new Error('no action runs while checking runbooks');
  });
  const visit = (c: Command) => {
    c.exitOverride().configureOutput({ writeErr: (s) => void errors.push(s), writeOut: () => {} });
    c.action(() => {});
    c.commands.forEach(visit);
  };
  visit(program);
  return { program, errors };
}

test('the runbooks cover every failure scenario the issue names', () => {
  const names = scenarioNames();
  for (const s of [
    'kafka-broker-down',
    'kafka-cluster-down',
    'redis-down',
    'redis-split-brain',
    'stuck-seat-lock',
    'consumer-lag',
    'gateway-outage-retry-storm',
    'db-pool-exhaustion',
    'duplicate-payments',
    'failed-events',
  ]) {
    assert.ok(names.includes(s), `runbooks/${s}.md is missing`);
  }
  const index = readFileSync(`${RUNBOOKS_DIR}/README.md`, 'utf8');
  for (const n of names) assert.ok(index.includes(`(${n}.md)`), `runbooks/README.md does not link ${n}.md`);
});

for (const name of scenarioNames()) {
  test(`runbooks/${name}.md: every ticketctl command exists and parses`, async () => {
    const rb = loadRunbook(name); // throws on a malformed document
    const commands = rb.steps.flatMap((s) => s.commands);
    assert.ok(commands.length >= 3, 'a runbook names at least three commands');
    for (const line of commands) {
      const unknown = placeholders(line).filter((p) => !(p in SAMPLES));
      assert.deepEqual(unknown, [], `${line}: add a sample value for <${unknown[0]}> to SAMPLES`);
      const words = shellWords(fillPlaceholders(line, SAMPLES));
      assert.equal(words[0], 'ticketctl');
      const { program, errors } = parserOnly();
      try {
        await program.parseAsync(words.slice(1), { from: 'user' });
      } catch (err) {
        assert.fail(`"${line}" does not parse: ${errors.join('').trim() || (err as Error).message}`);
      }
      // A group name alone (e.g. `ticketctl kafka`) only prints help: it must be a real command.
      const leaf = words.slice(1).filter((w) => !w.startsWith('-'));
      let c: Command | undefined = program;
      for (const w of leaf) c = c?.commands.find((x) => x.name() === w) ?? c;
      assert.ok(c && c !== program && c.commands.length === 0, `"${line}" names a command group, not a command`);
    }
  });
}
