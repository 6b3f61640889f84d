import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { chainedLine } from '../../cli/shared/audit-chain.ts';
import { scratch } from './helpers.ts';

// `ticketctl audit verify` on audit logs written the way mutating commands write them
// (needs no stack: it reads only the file it is given).

const s = scratch('audit-verify');
const record = (result: string, pid: number, time: string) => ({
  time,
  user: 'alice',
  host: 'ops-1',
  pid,
  context: 'local',
  command: 'payments refund-duplicates',
  argv: [],
  plan: { title: 't', steps: ['s'], data: null, rollback: null },
  result,
  error: null,
  durationMs: 1,
});

function writeLog(name: string, records: object[], edit?: (lines: string[]) => string[]): string {
  let lines: string[] = [];
  for (const r of records) lines.push(chainedLine(r, lines.at(-1)));
  if (edit) lines = edit(lines);
  const file = path.join(s.dir, name);
  writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
  return file;
}

const finished = [record('started', 101, 't1'), record('ok', 101, 't1'), record('refused', 102, 't2')];

test('an untouched log: exit 0, every record counted, the chain head printed', async () => {
  const r = await s.run(['audit', 'verify', '--file', writeLog('ok.log', finished), '-o', 'json']);
  assert.equal(r.exitCode, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.entries, 3);
  assert.equal(report.ok, true);
  assert.match(report.head, /^[0-9a-f]{64}$/);
  assert.deepEqual(report.unfinished, []);
});

test('an edited record: exit 1 naming the line', async () => {
  const file = writeLog('edited.log', finished, (l) => [l[0]!, l[1]!.replace('"ok"', '"failed"'), l[2]!]);
  const r = await s.run(['audit', 'verify', '--file', file, '-o', 'table']);
  assert.equal(r.exitCode, 1, r.stdout);
  assert.match(r.stdout, /Broken at line 2: its content does not match its hash/);
  assert.match(r.stderr, /does not hold at line 2/);
});

test('a removed record: exit 1 at the line after it', async () => {
  const r = await s.run(['audit', 'verify', '--file', writeLog('removed.log', finished, (l) => [l[0]!, l[2]!]), '-o', 'table']);
  assert.equal(r.exitCode, 1, r.stdout);
  assert.match(r.stdout, /Broken at line 2: its prev does not match the line before it/);
});

test('a run that recorded its intent but no outcome (its process gone): exit 1, listed as interrupted', async () => {
  const r = await s.run(['audit', 'verify', '--file', writeLog('crashed.log', [...finished, { ...record('started', 2 ** 22 + 1, 't3'), host: (await import('node:os')).hostname() }]), '-o', 'table']);
  assert.equal(r.exitCode, 1, r.stdout);
  assert.match(r.stdout, /The chain holds/);
  assert.match(r.stdout, /interrupted t3 payments refund-duplicates/);
  assert.match(r.stderr, /1 run\(s\) recorded their intent but no outcome/);
});
