import mysql, { type Connection, type Pool } from 'mysql2/promise';
import { OpsError, UsageError } from '../lib/index.ts';
import { createPool } from '../service/index.ts';
import type { Topology, TicketctlDbRole } from '../contracts/index.ts';
import { DATABASES } from '../contracts/index.ts';
import type { Context } from './context.ts';

// The one way ticketctl, the drills, scripts and tests reach the service's database: the
// context's address (through the proxy, for the local stack) as one of ticketctl's three
// accounts (contracts/databases.ts): `read` for every read command, `operator` for the
// commands that change rows, `drill` for the drills. The service's own bounded pool (a
// connect timeout and a bounded wait queue), so no command can hang on it. Nothing here
// runs migrations or DDL: the service's migrations own the schema, and none of these
// accounts may change it.

/** An address and one account on it, the password revealed: what a pool is opened with. */
export interface ServiceDbEndpoint {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

const ROLE_USE: Record<TicketctlDbRole, string> = { read: 'reading', operator: 'commands that change rows (refunds, cancel, reprocess, DLQ replay, seed)', drill: 'chaos drills' };

/** Where a role's account is configured, as the operator would fix it. */
const accountKey = (c: Pick<Context, 'name' | 'source'>, role: TicketctlDbRole) =>
  c.source === 'built-in' ? `the local stack's ${role} account` : role === 'read' ? `contexts.${c.name}.mariadb.user/password` : `contexts.${c.name}.mariadb.${role}`;

/** The context's database as `role`; a context that names no such account is a usage error naming the key. */
export function serviceDbAs(c: Pick<Context, 'name' | 'source' | 'mariadb'>, role: TicketctlDbRole, database = c.mariadb.database): ServiceDbEndpoint {
  const account = c.mariadb.accounts[role];
  if (!account) {
    throw new UsageError(`Context "${c.name}" has no ${role} account on its database (for ${ROLE_USE[role]}).`, `Add ${accountKey(c, role)} ({"user": ..., "password": {"env": ...}}) to ${c.source}.`);
  }
  return { host: c.mariadb.host, port: c.mariadb.port, user: account.user, password: account.password.reveal(), database };
}

/** The local stack's service database as the service's own account (tests, benchmarks: the owner of the schema). */
export function localServiceDb(t: Pick<Topology, 'host' | 'mariadb'>): ServiceDbEndpoint {
  const { user, password, database } = DATABASES.service;
  return { host: t.host, port: t.mariadb.proxy, user, password, database };
}

/** A small pool the caller ends. */
export function openServiceDb(db: ServiceDbEndpoint, { connectionLimit = 4 }: { connectionLimit?: number } = {}): Pool {
  return createPool({ ...db, connectionLimit, queueLimit: 100, connectTimeoutMs: 3000 });
}

/** A pool on the context's service database as `role` for fn; closed afterwards. A database that does not answer says what to run next. */
export async function withServiceDb<T>(c: Pick<Context, 'name' | 'source' | 'mariadb' | 'stack'>, fn: (pool: Pool) => Promise<T>, role: TicketctlDbRole = 'read'): Promise<T> {
  const db = serviceDbAs(c, role);
  const pool = openServiceDb(db, { connectionLimit: 3 });
  try {
    await pool.query('SELECT 1').catch((err: unknown) => {
      const denied = (err as { code?: string }).code === 'ER_ACCESS_DENIED_ERROR';
      throw new OpsError(`The service database in context ${c.name} (${db.host}:${db.port}) did not ${denied ? `accept the ${role} account ${db.user}` : 'answer'}: ${(err as Error).message}.`, {
        code: denied ? 'DB_ACCESS_DENIED' : 'DB_UNREACHABLE',
        retriable: !denied,
        hint: denied
          ? `Check the ${role} account's user and password (${accountKey(c, role)}, from ${c.mariadb.accounts[role]!.password.source}).`
          : `Check it with \`ticketctl health\`${c.stack ? '; start what is down with `ticketctl stack up`' : ''}.`,
        cause: err,
      });
    });
    return await fn(pool);
  } finally {
    await pool.end().catch(() => {});
  }
}

/** One connection as the read account for fn (health reads its own thread id); errors pass through as they are. */
export async function withServiceConnection<T>(c: Pick<Context, 'name' | 'source' | 'mariadb'>, fn: (conn: Connection) => Promise<T>): Promise<T> {
  const conn = await mysql.createConnection({ ...serviceDbAs(c, 'read'), connectTimeout: 2500, multipleStatements: false });
  try {
    return await fn(conn);
  } finally {
    await conn.end().catch(() => conn.destroy());
  }
}
