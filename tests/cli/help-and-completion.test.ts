import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TICKETCTL } from '../helpers/cli.ts';
import { scratch } from './helpers.ts';

// `ticketctl --help` loads no command module or client library (they load lazily);
// completion scripts come from the program tree; bad flags are usage errors (exit 2).

const s = scratch('help');

// How fast --help starts is a benchmark (`npm run bench:help`, medians against a baseline
// measured in the same run); what a test can prove without a clock is why it is fast:
// --help loads commander and chalk (the UI) and nothing else from node_modules.
test('--help loads no client library, prompt or process runner: commands load only when run', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'help-imports-'));
  const file = path.join(dir, 'imports.txt');
  const r = await execa(TICKETCTL, ['--help'], { reject: false, env: { NODE_OPTIONS: `--import=${path.join(import.meta.dirname, '../helpers/record-imports.ts')}`, RECORD_IMPORTS_TO: file } });
  assert.equal(r.exitCode, 0, String(r.stderr));
  assert.match(String(r.stdout), /health[\s\S]*kafka[\s\S]*completion/);
  const packages = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(packages, ['chalk', 'commander'], `--help loaded ${packages.join(', ')}`);
});

test('completion bash: valid bash that completes commands, flags and choices', async () => {
  const r = await s.run(['completion', 'bash']);
  assert.equal(r.exitCode, 0, r.stderr);
  const complete = (...words: string[]) =>
    execFileSync('bash', ['-c', `${r.stdout}\nCOMP_WORDS=("$@"); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 )); _ticketctl; printf '%s\\n' "\${COMPREPLY[@]}"`, 'bash', ...words], { encoding: 'utf8' })
      .trim()
      .split('\n');
  assert.deepEqual(complete('ticketctl', 'kafka', 'el'), ['elect-leaders']);
  assert.deepEqual(complete('ticketctl', 'kafka', 'restart-broker', '--ti'), ['--timeout']);
  assert.deepEqual(complete('ticketctl', 'health', '--output', ''), ['table', 'json']);
  assert.match(r.stdout, /complete -F _ticketctl ticketctl/);
});

test('completion zsh: valid zsh whose completer offers commands, flags and choices', { skip: !hasZsh() && 'zsh is not installed' }, async () => {
  const r = await s.run(['completion', 'zsh']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /^#compdef ticketctl/);
  execFileSync('zsh', ['-n'], { input: r.stdout });
  // Outside a completion widget compadd/_describe do nothing; stand-ins print what they were given.
  const harness = `compdef() { :; }
compadd() { shift; print -l -- "\${(@P)1}"; }
_describe() { print -l -- "\${(@P)4%%:*}"; }
${r.stdout}
words=("$@"); CURRENT=$#words; _ticketctl`;
  const complete = (...words: string[]) =>
    execFileSync('zsh', ['-f', '-c', harness, 'zsh', ...words], { encoding: 'utf8' })
      .trim()
      .split('\n');
  assert.ok(complete('ticketctl', 'kafka', '').includes('elect-leaders'));
  assert.ok(complete('ticketctl', 'kafka', 'elect-leaders', '--').includes('--dry-run'));
  assert.deepEqual(complete('ticketctl', 'kafka', 'describe', '-o', ''), ['table', 'json']);
});

const usage: Array<[string, string[], RegExp]> = [
  ['unknown flag', ['kafka', 'elect-leaders', '--bogus'], /unknown option '--bogus'/],
  ['bad --output', ['health', '--output', 'xml'], /Allowed choices are table, json/],
  ['non-numeric broker id', ['kafka', 'restart-broker', 'two'], /broker id must be a whole number/],
  ['non-numeric --timeout', ['kafka', 'restart-broker', '2', '--timeout', 'soon'], /--timeout must be a whole number/],
  ['--partition without --topic', ['kafka', 'elect-leaders', '--partition', '1', '--dry-run'], /--partition needs --topic[\s\S]*next:/],
  ['missing topic', ['kafka', 'describe'], /missing required argument 'topic'/],
  ['unknown shell', ['completion', 'fish'], /Allowed choices are bash, zsh/],
  ['unknown broker id', ['kafka', 'restart-broker', '7', '--dry-run'], /There is no broker 7[\s\S]*next: Brokers: 1, 2, 3/],
];
for (const [what, args, message] of usage) {
  test(`usage error exits 2: ${what}`, async () => {
    const r = await s.run(args);
    assert.equal(r.exitCode, 2, `stdout=${r.stdout} stderr=${r.stderr}`);
    assert.match(r.stderr, message);
  });
}

function hasZsh(): boolean {
  try {
    execFileSync('zsh', ['-c', 'true']);
    return true;
  } catch {
    return false;
  }
}
