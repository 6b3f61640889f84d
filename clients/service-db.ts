import mysql, { type Connection, type Pool } from 'mysql2/promise';
import { OpsError } from '../lib/index.ts';
import { createPool } from '../service/index.ts';
import type { Topology } from '../contracts/index.ts';
import { DATABASES } from '../contracts/index.ts';
import type { Context } from './context.ts';

// The one way ticketctl, the drills, scripts and tests reach the service's database: the
// context's account and address (through the proxy, for the local stack), the service's
// own bounded pool (a connect timeout and a bounded wait queue, so no command can hang on
// it). Nothing here runs migrations or DDL: the service's migrations own the schema, and
// a reading command must work with an account that may only read.

export type ServiceDbEndpoint = Context['mariadb'];

/** The local stack's service database as its clients reach it (through Toxiproxy). */
export function localServiceDb(t: Pick<Topology, 'host' | 'mariadb'>): ServiceDbEndpoint {
  const { user, password, database } = DATABASES.service;
  return { host: t.host, port: t.mariadb.proxy, user, password, database };
}

/** A small pool the caller ends. */
export function openServiceDb(db: ServiceDbEndpoint, { connectionLimit = 4 }: { connectionLimit?: number } = {}): Pool {
  return createPool({ ...db, connectionLimit, queueLimit: 100, connectTimeoutMs: 3000 });
}

/** A pool on the context's service database for fn; closed afterwards. A database that does not answer says what to run next. */
export async function withServiceDb<T>(c: Pick<Context, 'name' | 'mariadb' | 'stack'>, fn: (pool: Pool) => Promise<T>): Promise<T> {
  const pool = openServiceDb(c.mariadb, { connectionLimit: 3 });
  try {
    await pool.query('SELECT 1').catch((err: unknown) => {
      throw new OpsError(`The service database in context ${c.name} (${c.mariadb.host}:${c.mariadb.port}) did not answer: ${(err as Error).message}.`, {
        code: 'DB_UNREACHABLE',
        retriable: true,
        hint: `Check it with \`ticketctl health\`${c.stack ? '; start what is down with `ticketctl stack up`' : ''}.`,
        cause: err,
      });
    });
    return await fn(pool);
  } finally {
    await pool.end().catch(() => {});
  }
}

/** One connection for fn (health reads its own thread id); errors pass through as they are. */
export async function withServiceConnection<T>(c: Pick<Context, 'mariadb'>, fn: (conn: Connection) => Promise<T>): Promise<T> {
  const conn = await mysql.createConnection({ ...c.mariadb, connectTimeout: 2500, multipleStatements: false });
  try {
    return await fn(conn);
  } finally {
    await conn.end().catch(() => conn.destroy());
  }
}
