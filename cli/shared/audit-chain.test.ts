import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chainedLine, GENESIS, sha256, verifyChain } from './audit-chain.ts';

const build = (records: object[], legacy: string[] = []) => {
  const lines = [...legacy];
  for (const r of records) lines.push(chainedLine(r, lines.at(-1)));
  return lines;
};
const text = (lines: string[]) => lines.map((l) => `${l}\n`).join('');

test('a chain of records holds; each links to the line before it, the first to GENESIS', () => {
  const lines = build([{ n: 1 }, { n: 2 }, { n: 3 }]);
  assert.equal(JSON.parse(lines[0]!).prev, GENESIS);
  assert.equal(JSON.parse(lines[1]!).prev, sha256(lines[0]!));
  assert.deepEqual(verifyChain(text(lines)), { entries: 3, unchained: 0, ok: true, broken: null, head: sha256(lines[2]!) });
  assert.deepEqual(verifyChain(''), { entries: 0, unchained: 0, ok: true, broken: null, head: null });
});

test('an edited record fails at that line: its content no longer matches its hash', () => {
  const lines = build([
    { result: 'ok', n: 1 },
    { result: 'failed', n: 2 },
    { result: 'ok', n: 3 },
  ]);
  lines[1] = lines[1]!.replace('"failed"', '"ok"');
  assert.deepEqual(verifyChain(text(lines)).broken, { line: 2, reason: 'its content does not match its hash (the record was edited)' });
});

test('a removed, inserted or reordered record fails at the next line: its prev no longer matches', () => {
  const lines = build([{ n: 1 }, { n: 2 }, { n: 3 }]);
  assert.equal(verifyChain(text([lines[0]!, lines[2]!])).broken?.line, 2);
  assert.equal(verifyChain(text([lines[1]!, lines[0]!, lines[2]!])).broken?.line, 1);
  assert.match(verifyChain(text([lines[0]!, lines[2]!])).broken!.reason, /removed, inserted or reordered/);
});

test('records from before the chain are accepted as a prefix only', () => {
  const legacy = [JSON.stringify({ n: 'old-1' }), JSON.stringify({ n: 'old-2' })];
  const lines = build([{ n: 1 }, { n: 2 }], legacy);
  assert.deepEqual({ ...verifyChain(text(lines)), head: null }, { entries: 4, unchained: 2, ok: true, broken: null, head: null });
  // Stripping a chained record of its hash to pass it off as an old one is caught.
  const stripped = [...lines];
  const { hash: _h, prev: _p, ...plain } = JSON.parse(stripped[3]!) as Record<string, unknown>;
  stripped[3] = JSON.stringify(plain);
  assert.equal(verifyChain(text(stripped)).broken?.line, 4);
});

test('a truncated line is reported, not thrown', () => {
  const lines = build([{ n: 1 }, { n: 2 }]);
  assert.deepEqual(verifyChain(text([lines[0]!, lines[1]!.slice(0, 20)])).broken, { line: 2, reason: 'not a JSON record (edited or truncated)' });
});
