import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql, { type Pool, type RowDataPacket } from 'mysql2/promise';
import { loadMigrations, migrate } from '../../service/db/migrate.ts';
import { MIGRATIONS_DIR } from '../../service/db/paths.ts';
import { createPool } from '../../service/db/pool.ts';
import { mariadbSocket } from '../../stack/components/mariadb.ts';
import { testStack } from '../helpers/stack.ts';
import { DATABASES } from '../../contracts/databases.ts';

// The migration runner against the stack's MariaDB: the real databases (migrated when the
// stack came up, possibly by an earlier version of the runner) and scratch databases that
// root creates for one test and drops afterwards.

const ctx = testStack();
const GATEWAY_MIGRATIONS = path.join(import.meta.dirname, '../../service/gateway/migrations');
const root = { socketPath: mariadbSocket(ctx), user: 'root' };
const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A fresh database and a pool on it (as root, over the server's socket). */
async function scratchDb(): Promise<{ database: string; pool: () => Pool }> {
  const database = `migrate_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = await mysql.createConnection(root);
  await admin.query(`CREATE DATABASE \`${database}\``);
  await admin.end();
  const pools: Pool[] = [];
  cleanups.push(async () => {
    await Promise.all(pools.map((p) => p.end()));
    const c = await mysql.createConnection(root);
    await c.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await c.end();
  });
  return {
    database,
    pool: () => {
      const p = mysql.createPool({ ...root, database, connectionLimit: 2 });
      pools.push(p);
      return p;
    },
  };
}

function migrationsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  for (const [name, sql] of Object.entries(files)) writeFileSync(path.join(dir, name), sql);
  return dir;
}

const recorded = async (pool: Pool) => (await pool.query<RowDataPacket[]>('SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version'))[0];
const tables = async (pool: Pool) => (await pool.query<RowDataPacket[]>('SHOW TABLES'))[0].map((r) => String(Object.values(r)[0])).sort();

test("the stack's own databases: nothing re-runs, and the rows recorded when they were migrated stay as they are", async () => {
  for (const [db, dir, lock] of [
    [DATABASES.service, MIGRATIONS_DIR, 'ticketing_migrations'],
    [DATABASES.gateway, GATEWAY_MIGRATIONS, 'gateway_migrations'],
  ] as const) {
    const pool = createPool({ host: ctx.topology.host, port: ctx.topology.mariadb.proxy, ...db, connectionLimit: 2, queueLimit: 10, connectTimeoutMs: 3000 });
    try {
      const before = await recorded(pool);
      assert.equal(before.length, loadMigrations(dir).length, `${db.database}: every migration recorded`);
      assert.deepEqual(await migrate(pool, loadMigrations(dir), lock), [], `${db.database}: nothing to apply`);
      assert.deepEqual(await recorded(pool), before, `${db.database}: rows untouched`);
    } finally {
      await pool.end();
    }
  }
});

test('a fresh database gets every service (or gateway) migration once; a second run applies nothing', async () => {
  for (const [dir, expected] of [
    [MIGRATIONS_DIR, ['concerts', 'event_store', 'holds', 'outbox', 'payment_refunds', 'payment_transactions', 'processed_events', 'reconciliation_cursors', 'seats', 'ticketctl_dlq_replays']],
    [GATEWAY_MIGRATIONS, ['gateway_charges', 'gateway_refunds']],
  ] as const) {
    const db = await scratchDb();
    const pool = db.pool();
    const all = loadMigrations(dir);
    assert.deepEqual(
      await migrate(pool, all),
      all.map((m) => m.name),
    );
    assert.deepEqual(await tables(pool), [...expected, 'schema_migrations'].sort());
    assert.deepEqual(await migrate(pool, all), []);
    assert.equal((await recorded(pool)).length, all.length);
  }
  const db = await scratchDb();
  const pool = db.pool();
  await migrate(pool, loadMigrations(MIGRATIONS_DIR));
  const [cols] = await pool.query<RowDataPacket[]>("SHOW COLUMNS FROM outbox LIKE 'claimed%'");
  assert.deepEqual(
    cols.map((c) => c.Field),
    ['claimed_by', 'claimed_until'],
    '007 (one ALTER with two clauses) applied',
  );
});

test('a file means what it says in SQL: semicolons in strings and comments, a "--" line inside a string', async () => {
  const body1 = 'ends with a semicolon;\n-- and this line is data, not a comment';
  const dir = migrationsDir({
    '001_notes.sql': [
      '-- a comment; with a semicolon',
      'CREATE TABLE notes (id INT PRIMARY KEY, body VARCHAR(200) NOT NULL); -- a trailing comment;',
      '/* a block comment;',
      '   over two lines; */',
      `INSERT INTO notes VALUES (1, '${body1}');`,
      "INSERT INTO notes VALUES (2, 'a;b');",
      '',
    ].join('\n'),
  });
  const db = await scratchDb();
  const pool = db.pool();
  assert.deepEqual(await migrate(pool, loadMigrations(dir)), ['001_notes']);
  const [rows] = await pool.query<RowDataPacket[]>('SELECT id, body FROM notes ORDER BY id');
  assert.deepEqual(
    rows.map((r) => [r.id, r.body]),
    [
      [1, body1],
      [2, 'a;b'],
    ],
  );
});

test('a failing file stops the run naming the file, is not recorded, and runs once it is fixed', async () => {
  const dir = migrationsDir({
    '001_a.sql': 'CREATE TABLE a1 (x INT);\n',
    '002_b.sql': 'CREATE TABLE IF NOT EXISTS a2 (x INT);\nINSERT INTO no_such_table VALUES (1);\n',
    '003_c.sql': 'CREATE TABLE a3 (x INT);\n',
  });
  const db = await scratchDb();
  const pool = db.pool();
  await assert.rejects(migrate(pool, loadMigrations(dir)), /migration 002_b failed: .*no_such_table/);
  assert.deepEqual(
    (await recorded(pool)).map((r) => r.name),
    ['001_a'],
  );
  assert.deepEqual(await tables(pool), ['a1', 'a2', 'schema_migrations'], "002's first statement stays applied (DDL commits), 003 never ran");
  writeFileSync(path.join(dir, '002_b.sql'), 'CREATE TABLE IF NOT EXISTS a2 (x INT);\n');
  assert.deepEqual(await migrate(pool, loadMigrations(dir)), ['002_b', '003_c']);
});

test('an applied file that was edited afterwards is refused', async () => {
  const dir = migrationsDir({ '001_a.sql': 'CREATE TABLE a1 (x INT);\n' });
  const db = await scratchDb();
  const pool = db.pool();
  await migrate(pool, loadMigrations(dir));
  writeFileSync(path.join(dir, '001_a.sql'), 'CREATE TABLE a1 (x BIGINT);\n');
  await assert.rejects(migrate(pool, loadMigrations(dir)), /migration 001_a changed after it was applied/);
});

test('three instances starting at once: the lock lets one apply each file, exactly once', async () => {
  const db = await scratchDb();
  const all = loadMigrations(MIGRATIONS_DIR);
  const runs = await Promise.all([db.pool(), db.pool(), db.pool()].map((p) => migrate(p, all, 'test_lock')));
  assert.deepEqual(runs.flat().sort(), all.map((m) => m.name).sort());
  assert.equal(runs.filter((r) => r.length > 0).length, 1, 'one runner applied everything, the others found nothing to do');
  assert.equal((await recorded(db.pool())).length, all.length);
});
