import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { findComponent } from '../../stack/components/index.ts';
import { runningRecord } from '../../stack/supervisor/managed.ts';
import { ctx, parseJson, scratch, stackContextEntry, ticketctlOnTty } from './helpers.ts';

// The safety rails every mutating command shares (cli/shared/mutation.ts), on the real CLI with
// a real target: restarting broker 2 of the stack under test. None of these runs may
// change anything: the broker keeps its PID throughout.

const s = scratch('mutation');
const broker2 = () => runningRecord(ctx.paths, findComponent(ctx.topology, 'kafka-2')!)?.pid;

test('--dry-run prints the exact plan (JSON) and changes nothing, not even the audit log', async () => {
  const pid = broker2();
  assert.ok(pid, 'kafka-2 must be running');
  const r = await s.run(['kafka', 'restart-broker', '2', '--dry-run', '-o', 'json']);
  assert.equal(r.exitCode, 0, r.stderr);
  const out = parseJson(r);
  assert.deepEqual(Object.keys(out), ['command', 'context', 'result', 'plan', 'outcome']);
  assert.equal(out.result, 'dry-run');
  assert.equal(out.command, 'kafka restart-broker');
  assert.match(out.plan.steps[0], new RegExp(`^stop kafka-2 \\(pid ${pid}\\) with SIGTERM`));
  assert.equal(out.plan.data.broker, 2);
  assert.equal(out.plan.data.pid, pid);
  assert.match(r.stderr, /Dry run: nothing was changed/);
  assert.equal(broker2(), pid);
  assert.equal(existsSync(s.auditLog), false, 'a dry run is not an action: no audit record');
});

test('no terminal and no --yes: exit 2 with the hint, a "refused" audit record, nothing changed', async () => {
  const pid = broker2();
  const r = await s.run(['kafka', 'restart-broker', '2']);
  assert.equal(r.exitCode, 2, r.stderr);
  assert.match(r.stderr, /stdin is not a terminal and --yes was not given[\s\S]*next: re-run with --yes after reviewing --dry-run/);
  assert.equal(broker2(), pid);
  const record = s.audit().at(-1)!;
  assert.deepEqual(Object.keys(record), ['time', 'user', 'host', 'pid', 'context', 'command', 'argv', 'plan', 'result', 'error', 'durationMs', 'prev', 'hash']);
  assert.equal(record.result, 'refused');
  assert.equal(record.command, 'kafka restart-broker');
  assert.deepEqual(record.argv, ['kafka', 'restart-broker', '2']);
  assert.equal(record.context, 'local');
  assert.equal((record.plan.data as { broker: number }).broker, 2);
  assert.match(record.error ?? '', /not a terminal/);
});

test('a protected context: --yes alone is refused without a terminal; a wrong --confirm-context too', async () => {
  const env = s.config({ contexts: { 'prod-like': stackContextEntry({ protected: true }) } });
  const pid = broker2();
  const r = await s.run(['--context', 'prod-like', 'kafka', 'restart-broker', '2', '--yes'], env);
  assert.equal(r.exitCode, 2, r.stderr);
  assert.match(r.stderr, /Context "prod-like" is protected[\s\S]*next: .*--confirm-context prod-like/);
  const wrong = await s.run(['--context', 'prod-like', 'kafka', 'restart-broker', '2', '--yes', '--confirm-context', 'local'], env);
  assert.equal(wrong.exitCode, 2);
  assert.match(wrong.stderr, /--confirm-context "local" does not match the context "prod-like"/);
  assert.equal(broker2(), pid);
  assert.deepEqual(
    s
      .audit()
      .slice(-2)
      .map((x) => [x.context, x.result]),
    [
      ['prod-like', 'refused'],
      ['prod-like', 'refused'],
    ],
  );
});

test('on a terminal, a protected context wants its name typed back: a typo refuses', async () => {
  const env = { ...s.env, ...s.config({ contexts: { 'prod-like': stackContextEntry({ protected: true }) } }, 'tty.json') };
  const pid = broker2();
  const r = await ticketctlOnTty(['--context', 'prod-like', 'kafka', 'restart-broker', '2', '--yes', '-o', 'table'], 'prod-lkie\r', env);
  assert.equal(r.exitCode, 2, r.stdout);
  assert.match(r.stdout, /Type its name to apply this plan/);
  assert.match(r.stdout, /You typed "prod-lkie", not "prod-like"\. Nothing was changed\./);
  assert.equal(broker2(), pid);
  assert.equal(s.audit().at(-1)!.result, 'refused');
});

test('on a terminal, the confirm prompt defaults to no: answering n declines (exit 2)', async () => {
  const pid = broker2();
  const r = await ticketctlOnTty(['kafka', 'restart-broker', '2', '-o', 'table'], 'n\r', s.env);
  assert.equal(r.exitCode, 2, r.stdout);
  assert.match(r.stdout, /Apply this plan to "local"\? \(y\/N\)/);
  assert.match(r.stdout, /Declined\. Nothing was changed\./);
  assert.equal(broker2(), pid);
  assert.equal(s.audit().at(-1)!.error, 'Declined. Nothing was changed.');
});
