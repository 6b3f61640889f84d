import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { buildProgram } from '../../main.ts';
import { bashCompletion, completionNodes } from './scripts.ts';
import type { Globals } from '../../shared/globals.ts';

const program = () => buildProgram(() => ({}) as Globals);

test('completion nodes follow the commander tree: commands, options, value options, choices', () => {
  const nodes = completionNodes(program());
  const at = (path: string) => nodes.find((n) => n.path === path)!;
  assert.ok(at('').commands.some((c) => c.name === 'kafka'));
  assert.deepEqual(
    at('kafka')
      .commands.map((c) => c.name)
      .filter((n) => n !== 'help')
      .sort(),
    ['brokers', 'describe', 'elect-leaders', 'recover-cluster', 'restart-broker'],
  );
  const elect = at('kafka elect-leaders');
  const flag = (f: string) => elect.options.find((o) => o.flags.includes(f));
  assert.deepEqual(flag('--output')?.choices, ['table', 'json']);
  assert.equal(flag('--dry-run')?.takesValue, false);
  assert.equal(flag('--topic')?.takesValue, true);
  assert.ok(flag('--context'), 'global options complete after a subcommand too');
  assert.equal(elect.options.filter((o) => o.flags.includes('--help')).length, 1);
  assert.deepEqual(at('completion').argChoices, ['bash', 'zsh']);
});

test('the bash script completes subcommands, flags and choices (real bash)', () => {
  const script = bashCompletion(program());
  const complete = (...words: string[]) =>
    execFileSync('bash', ['-c', `${script}\nCOMP_WORDS=("$@"); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 )); _ticketctl; printf '%s\\n' "\${COMPREPLY[@]}"`, 'bash', ...words], { encoding: 'utf8' })
      .trim()
      .split('\n');
  assert.deepEqual(complete('ticketctl', 'ka'), ['kafka']);
  assert.ok(complete('ticketctl', 'kafka', '').includes('elect-leaders'));
  assert.deepEqual(complete('ticketctl', 'kafka', 'elect-leaders', '--dr'), ['--dry-run']);
  assert.deepEqual(complete('ticketctl', 'health', '-o', ''), ['table', 'json']);
  assert.deepEqual(complete('ticketctl', '--context', 'kafka', 'de'), ['demo'], 'the value of --context is not a command');
  assert.deepEqual(complete('ticketctl', '--context', 'local', 'kafka', 'de'), ['describe']);
});
