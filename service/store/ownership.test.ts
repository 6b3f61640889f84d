import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// The store is the one owner of payment, hold and seat state: SQL that writes its tables
// must not appear in any non-test .ts file outside service/store/. Tests' own fixtures
// (*.test.ts, tests/) may write rows to set up a case. Comments are scanned too, so no
// statement can hide in one; reword a comment that trips this.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STORE = join('service', 'store') + sep;
const SKIP_DIRS = new Set(['node_modules', 'tests']);

/** Every write to these tables belongs to the store. */
const OWNED = ['payment_transactions', 'holds', 'seats', 'concerts', 'event_store', 'processed_events', 'payment_refunds', 'reconciliation_cursors'];
/**
 * New outbox rows announce a state change and commit with it, so only the store inserts them;
 * the relay's delivery bookkeeping (claims, published_at: UPDATE) is not a state change.
 */
const INSERT_ONLY = ['outbox'];

const ident = (t: string) => `\`?${t}\`?(?![\\w$])`;
const list = (ts: string[]) => `(?:${ts.map(ident).join('|')})`;
const WRITES: RegExp[] = [
  new RegExp(`\\b(?:INSERT|REPLACE)(?:\\s+(?:LOW_PRIORITY|DELAYED|HIGH_PRIORITY|IGNORE))*(?:\\s+INTO)?\\s+${list([...OWNED, ...INSERT_ONLY])}`, 'gi'),
  new RegExp(`\\bUPDATE(?:\\s+(?:LOW_PRIORITY|IGNORE))*\\s+${list(OWNED)}`, 'gi'),
  // A multi-table UPDATE or DELETE naming an owned table after its first one.
  new RegExp(`\\b(?:UPDATE|DELETE)\\s[^;'"\`]{0,200}?\\bJOIN\\s+${list(OWNED)}`, 'gi'),
  new RegExp(`\\bDELETE(?:\\s+(?:LOW_PRIORITY|QUICK|IGNORE))*(?:\\s+\\w+(?:\\s*,\\s*\\w+)*)?\\s+FROM\\s+${list([...OWNED, ...INSERT_ONLY])}`, 'gi'),
  new RegExp(`\\b(?:TRUNCATE(?:\\s+TABLE)?|ALTER\\s+TABLE|DROP\\s+TABLE(?:\\s+IF\\s+EXISTS)?)\\s+${list([...OWNED, ...INSERT_ONLY])}`, 'gi'),
];

interface Hit {
  file: string;
  line: number;
  text: string;
}

function writesIn(source: string): Array<{ line: number; text: string }> {
  const hits: Array<{ line: number; text: string }> = [];
  for (const re of WRITES) {
    for (const m of source.matchAll(re)) {
      const line = source.slice(0, m.index).split('\n').length;
      hits.push({ line, text: m[0].replace(/\s+/g, ' ') });
    }
  }
  return hits.sort((a, b) => a.line - b.line);
}

function* sourceFiles(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      if (dir === ROOT && SKIP_DIRS.has(e.name)) continue;
      if (e.name === 'node_modules') continue;
      yield* sourceFiles(path);
    } else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) {
      yield relative(ROOT, path);
    }
  }
}

function scan(): { outside: Hit[]; inside: Hit[]; files: number } {
  const outside: Hit[] = [];
  const inside: Hit[] = [];
  let files = 0;
  for (const file of sourceFiles(ROOT)) {
    files++;
    for (const h of writesIn(readFileSync(join(ROOT, file), 'utf8'))) (file.startsWith(STORE) ? inside : outside).push({ file, ...h });
  }
  return { outside, inside, files };
}

test('the detector finds writes to the owned tables however they are spelled, and nothing else', () => {
  const writes = [
    "UPDATE seats SET status = 'SOLD' WHERE id = ?",
    'update `holds` set status = ?',
    'INSERT INTO payment_transactions (payment_tx_id) VALUES (?)',
    'INSERT IGNORE INTO processed_events (event_id, handler) VALUES (?, ?)',
    'insert into outbox (event_id) values (?)',
    'REPLACE INTO event_store (aggregate_id) VALUES (?)',
    'DELETE FROM holds WHERE id = ?',
    'DELETE h FROM holds h WHERE h.id = ?',
    'UPDATE concerts c JOIN seats s ON s.concert_id = c.id SET s.status = ?',
    'UPDATE\n        payment_transactions\n   SET status = ?',
    'TRUNCATE TABLE seats',
  ];
  for (const sql of writes) assert.equal(writesIn(sql).length > 0, true, sql);
  const reads = [
    'SELECT * FROM payment_transactions WHERE payment_tx_id = ? FOR UPDATE',
    'SELECT id FROM holds h WHERE h.status = ? FOR UPDATE SKIP LOCKED',
    'UPDATE outbox SET published_at = NOW(3) WHERE id IN (?)',
    'UPDATE seats_archive SET x = 1',
    'INSERT INTO dlq_replays (dlq_topic) VALUES (?)',
    'the seat moves AVAILABLE -> HELD only by UPDATE ... WHERE status',
  ];
  for (const sql of reads) assert.deepEqual(writesIn(sql), [], sql);
});

test('no SQL outside service/store/ writes the tables the store owns', () => {
  const { outside, inside, files } = scan();
  // The walk really reads the tree: the store's own statements are found.
  assert.ok(files > 100, `only ${files} .ts files scanned under ${ROOT}`);
  assert.ok(
    inside.some((h) => h.file === join(STORE, 'refund-and-release.ts')),
    "the scan did not see the store's own writes",
  );
  assert.deepEqual(
    outside.map((h) => `${h.file}:${h.line}: ${h.text}`),
    [],
    'these statements write payment, hold, seat (or their event-store/outbox) rows outside the store: make the change through service/store/index.ts (its moves are in service/store/state-machine.ts)',
  );
});
