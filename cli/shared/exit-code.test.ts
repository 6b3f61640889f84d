import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Chalk } from 'chalk';
import { CommanderError } from 'commander';
import { OpsError, PortInUseError, UsageError } from '../../lib/errors.ts';
import { ExitError, exitCodeFor } from './exit-code.ts';

function capture() {
  const lines: string[] = [];
  return { lines, ui: { err: (l = '') => void lines.push(l), color: new Chalk({ level: 0 }) } };
}

test('exit codes: usage 2, failure 1, explicit ExitError, help 0, Ctrl-C 130', () => {
  const { ui } = capture();
  assert.equal(exitCodeFor(new CommanderError(1, 'commander.unknownCommand', 'x'), ui), 2);
  assert.equal(exitCodeFor(new CommanderError(0, 'commander.helpDisplayed', ''), ui), 0);
  assert.equal(exitCodeFor(new UsageError('bad'), ui), 2);
  assert.equal(exitCodeFor(new PortInUseError(1, 'x', undefined, 'h'), ui), 1);
  assert.equal(exitCodeFor(new ExitError(3), ui), 3);
  const prompt = new Error('User force closed the prompt');
  prompt.name = 'ExitPromptError';
  assert.equal(exitCodeFor(prompt, ui), 130);
});

test('an OpsError prints its message and the next step', () => {
  const { ui, lines } = capture();
  exitCodeFor(new OpsError('Seat A-12 is locked.', { code: 'LOCKED', hint: 'Run `ticketctl locks release A-12 --dry-run`.' }), ui);
  assert.deepEqual(lines, ['error: Seat A-12 is locked.', 'next: Run `ticketctl locks release A-12 --dry-run`.']);
});

test('an unexpected error is reported as a bug, exit 1', () => {
  const { ui, lines } = capture();
  assert.equal(exitCodeFor(new TypeError('x is undefined'), ui), 1);
  assert.match(lines.join('\n'), /internal error: TypeError: x is undefined[\s\S]*bug in ticketctl/);
});
