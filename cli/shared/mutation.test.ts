import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Chalk } from 'chalk';
import { OpsError } from '../../lib/errors.ts';
import { silentProgress } from '../../lib/progress.ts';
import { auditLogPath, auditRecord } from './audit.ts';
import { verifyChain } from './audit-chain.ts';
import { selectContext, type Context } from '../../clients/context.ts';
import { renderPlan, runMutation, type Plan } from './mutation.ts';
import type { Ui } from './ui.ts';

const plan: Plan<{ n: number }> = { title: 'restart broker 2', steps: ['stop kafka-2', 'start kafka-2'], data: { n: 2 }, notes: ['leadership stays put'], rollback: 'ticketctl x --undo' };

test('a plan renders as numbered steps, notes and the undo line', () => {
  assert.deepEqual(renderPlan(plan, { name: 'staging', protected: true }), [
    'Plan for context "staging" (protected): restart broker 2',
    '  1. stop kafka-2',
    '  2. start kafka-2',
    '  note: leadership stays put',
    '  undo: ticketctl x --undo',
  ]);
});

test('an audit record has every documented key', () => {
  const r = auditRecord({
    startedAt: Date.parse('2026-01-02T03:04:05.000Z'),
    now: Date.parse('2026-01-02T03:04:06.500Z'),
    context: 'local',
    command: 'kafka restart-broker',
    argv: ['kafka', 'restart-broker', '2'],
    plan,
    result: 'refused',
    error: 'no TTY',
  });
  assert.deepEqual(Object.keys(r), ['time', 'user', 'host', 'pid', 'context', 'command', 'argv', 'plan', 'result', 'error', 'durationMs']);
  assert.equal(r.time, '2026-01-02T03:04:05.000Z');
  assert.equal(r.durationMs, 1500);
  assert.equal(r.pid, process.pid);
  assert.deepEqual(r.plan, { title: plan.title, steps: plan.steps, data: { n: 2 }, rollback: 'ticketctl x --undo' });
  assert.equal(typeof r.user, 'string');
  assert.equal(typeof r.host, 'string');
});

test('the audit log: $TICKETCTL_AUDIT_LOG, else the stack folder, else the XDG state folder', () => {
  assert.equal(auditLogPath({ stack: { dir: '/s', portOffset: 0 } }, { TICKETCTL_AUDIT_LOG: '/a/log' }), '/a/log');
  assert.equal(auditLogPath({ stack: { dir: '/s', portOffset: 0 } }, {}), '/s/audit.log');
  assert.equal(auditLogPath({ stack: null }, { XDG_STATE_HOME: '/state' }), '/state/ticketctl/audit.log');
});

function fakeUi(canPrompt: boolean, answers: { confirm?: boolean; ask?: string } = {}): Ui & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    color: new Chalk({ level: 0 }),
    isTty: false,
    out: (l = '') => void lines.push(l),
    err: (l = '') => void lines.push(l),
    progress: silentProgress,
    table: () => {},
    json: (v) => void lines.push(JSON.stringify(v)),
    canPrompt,
    confirm: async () => answers.confirm ?? false,
    ask: async () => answers.ask ?? '',
  };
}

function setup(contextOverrides: Partial<Context> = {}, canPrompt = false, answers = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ticketctl-mutation-'));
  const log = path.join(dir, 'audit.log');
  const ui = fakeUi(canPrompt, answers);
  const g = { ui, command: 'test mutate', argv: ['test', 'mutate'], env: { TICKETCTL_AUDIT_LOG: log } };
  const context = { ...selectContext(undefined, undefined, {}), ...contextOverrides };
  const records = () =>
    existsSync(log)
      ? readFileSync(log, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l))
      : [];
  let applied = 0;
  const apply = async () => ++applied;
  return { g, ui, context, records, apply, applied: () => applied };
}

test('--dry-run: prints the plan, applies nothing, records nothing', async () => {
  const s = setup();
  await runMutation(s.g, s.context, { dryRun: true, output: 'table' }, plan, s.apply);
  assert.equal(s.applied(), 0);
  assert.deepEqual(s.records(), []);
  assert.match(s.ui.lines.join('\n'), /1\. stop kafka-2[\s\S]*Dry run: nothing was changed/);
});

test('no TTY and no --yes: refused (exit 2, the hint), a refused record, nothing applied', async () => {
  const s = setup();
  await assert.rejects(runMutation(s.g, s.context, { output: 'table' }, plan, s.apply), (err: unknown) => {
    assert.ok(err instanceof OpsError);
    assert.equal(err.exitCode, 2);
    assert.match(err.hint ?? '', /re-run with --yes after reviewing --dry-run/);
    return true;
  });
  assert.equal(s.applied(), 0);
  assert.deepEqual(
    s.records().map((r) => [r.result, r.command, r.context]),
    [['refused', 'test mutate', 'local']],
  );
});

test('--yes applies and records ok; a failure is recorded and rethrown', async () => {
  const s = setup();
  await runMutation(s.g, s.context, { yes: true, output: 'table' }, plan, s.apply);
  await assert.rejects(
    runMutation(s.g, s.context, { yes: true, output: 'table' }, plan, async () => Promise.reject(new Error('boom'))),
    /boom/,
  );
  assert.deepEqual(
    s.records().map((r) => [r.result, r.error]),
    [
      ['started', null],
      ['ok', null],
      ['started', null],
      ['failed', 'boom'],
    ],
  );
  assert.equal(s.applied(), 1);
});

test('the intent is on disk before anything changes, and the log stays a valid hash chain', async () => {
  const s = setup();
  let seenDuringApply: string[] = [];
  await runMutation(s.g, s.context, { yes: true, output: 'table' }, plan, async () => {
    seenDuringApply = s.records().map((r) => r.result);
  });
  assert.deepEqual(seenDuringApply, ['started'], 'a crash inside apply would leave the intent recorded');
  assert.deepEqual(
    s.records().map((r) => r.result),
    ['started', 'ok'],
  );
  assert.deepEqual(verifyChain(readFileSync(auditLogPath(s.context, s.g.env), 'utf8')).ok, true);
});

test('a terminal: confirm decides; declining is a refusal', async () => {
  const yes = setup({}, true, { confirm: true });
  await runMutation(yes.g, yes.context, { output: 'table' }, plan, yes.apply);
  assert.equal(yes.applied(), 1);
  const no = setup({}, true, { confirm: false });
  await assert.rejects(runMutation(no.g, no.context, { output: 'table' }, plan, no.apply), /Declined/);
  assert.equal(no.records()[0].result, 'refused');
});

test('a protected context: --yes is not enough; the name typed back (or --confirm-context) is', async () => {
  const noTty = setup({ name: 'prod', protected: true });
  await assert.rejects(runMutation(noTty.g, noTty.context, { yes: true, output: 'table' }, plan, noTty.apply), /protected and stdin is not a terminal/);
  await assert.rejects(runMutation(noTty.g, noTty.context, { yes: true, confirmContext: 'staging', output: 'table' }, plan, noTty.apply), /does not match/);
  await runMutation(noTty.g, noTty.context, { yes: true, confirmContext: 'prod', output: 'table' }, plan, noTty.apply);
  const wrong = setup({ name: 'prod', protected: true }, true, { ask: 'prdo' });
  await assert.rejects(runMutation(wrong.g, wrong.context, { yes: true, output: 'table' }, plan, wrong.apply), /You typed "prdo"/);
  const right = setup({ name: 'prod', protected: true }, true, { ask: 'prod' });
  await runMutation(right.g, right.context, { output: 'table' }, plan, right.apply);
  assert.deepEqual([noTty.applied(), wrong.applied(), right.applied()], [1, 0, 1]);
  assert.deepEqual(
    noTty.records().map((r) => r.result),
    ['refused', 'refused', 'started', 'ok'],
  );
});

test('nothing to do: no prompt, a noop record; JSON output carries plan and result', async () => {
  const s = setup();
  await runMutation(s.g, s.context, { output: 'json' }, { ...plan, steps: [] }, s.apply);
  assert.equal(s.applied(), 0);
  assert.equal(s.records()[0].result, 'noop');
  const printed = JSON.parse(s.ui.lines.find((l) => l.startsWith('{'))!);
  assert.deepEqual(Object.keys(printed), ['command', 'context', 'result', 'plan', 'outcome']);
  assert.equal(printed.result, 'noop');
});

test('an audit log that cannot be written stops the run before anything changes', async () => {
  const s = setup();
  const g = { ...s.g, env: { TICKETCTL_AUDIT_LOG: '/dev/null/audit.log' } };
  await assert.rejects(
    runMutation(g, s.context, { yes: true, output: 'table' }, plan, s.apply),
    (err: unknown) => err instanceof OpsError && err.code === 'AUDIT_UNWRITABLE' && /Nothing was changed/.test(err.message),
  );
  assert.equal(s.applied(), 0);
});
