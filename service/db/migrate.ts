import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import mysql, { type Connection, type Pool, type RowDataPacket } from 'mysql2/promise';

// A small migration runner: numbered SQL files (`001_create_seats.sql`) applied in order,
// each recorded in `schema_migrations` with a checksum. Several instances start at once,
// so the run holds a named MariaDB lock (GET_LOCK): one applies, the others wait and then
// find nothing to do. MariaDB commits DDL implicitly, so a file is one statement or a
// sequence that is safe to re-run (IF NOT EXISTS); a failure stops the run loudly.
//
// A file goes to the server whole, as one multi-statement query: MariaDB's own parser finds
// the statements, so a `;` inside a string or a comment, or a `--` line inside a string,
// means what it means in SQL (an earlier version split files on `;` at line ends itself).
// Multi-statement queries are allowed only on the runner's own short-lived connection,
// never on the application's pool, where they would widen any SQL injection.

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function loadMigrations(dir: string): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 3)), name: f.replace(/\.sql$/, ''), sql: readFileSync(path.join(dir, f), 'utf8') }));
}

// Kept exactly as it was when the first migrations ran: every database's recorded rows
// are compared with it, and a different hash would refuse to start on every existing stack.
function checksum(sql: string): string {
  let h = 0;
  for (let i = 0; i < sql.length; i++) h = (Math.imul(31, h) + sql.charCodeAt(i)) | 0;
  return (h >>> 0).toString(16);
}

/** A connection like the pool's own (same server, account, database), that may send several statements at once. */
async function openScriptConnection(pool: Pool): Promise<Connection> {
  const pooled = await pool.getConnection();
  const { host, port, socketPath, user, password, database, connectTimeout, ssl } = pooled.config;
  pooled.release();
  return mysql.createConnection({ host, port, socketPath, user, password, database, connectTimeout, ssl: ssl || undefined, multipleStatements: true });
}

/** Applies pending migrations; returns the names applied. Throws if an applied file changed. */
export async function migrate(pool: Pool, migrations: Migration[], lockName = 'schema_migrations'): Promise<string[]> {
  const conn = await openScriptConnection(pool);
  try {
    const [[got]] = await conn.query<RowDataPacket[]>('SELECT GET_LOCK(?, 60) AS ok', [lockName]);
    if (got?.ok !== 1) throw new Error(`could not take the migration lock "${lockName}" within 60 s`);
    try {
      await conn.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INT PRIMARY KEY, name VARCHAR(200) NOT NULL, checksum VARCHAR(16) NOT NULL,
        applied_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3))`);
      const [rows] = await conn.query<RowDataPacket[]>('SELECT version, name, checksum FROM schema_migrations');
      const applied = new Map(rows.map((r) => [Number(r.version), r as { name: string; checksum: string }]));
      const done: string[] = [];
      for (const m of migrations) {
        const prior = applied.get(m.version);
        if (prior) {
          if (prior.checksum !== checksum(m.sql)) {
            throw new Error(`migration ${m.name} changed after it was applied; add a new migration instead of editing an applied one`);
          }
          continue;
        }
        try {
          await conn.query(m.sql);
        } catch (err) {
          // The statements before the failing one stay applied (DDL commits); the file is not recorded.
          throw new Error(`migration ${m.name} failed: ${(err as Error).message}`, { cause: err });
        }
        await conn.query('INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)', [m.version, m.name, checksum(m.sql)]);
        done.push(m.name);
      }
      return done;
    } finally {
      await conn.query('SELECT RELEASE_LOCK(?)', [lockName]).catch(() => undefined);
    }
  } finally {
    await conn.end().catch(() => conn.destroy());
  }
}
