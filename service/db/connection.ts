import type { Pool, PoolConnection, QueryOptions } from 'mysql2/promise';
import { DependencyUnavailableError } from '../errors.ts';

// mysql2's pool queues waiters without a deadline; under pool starvation (report 2.3.1) a
// request would hang. Every connection here is taken with a deadline, and a timeout or a
// connection failure becomes a fast 503 with Retry-After. Likewise a query on a pooled
// connection whose link went silent (packets dropped, TCP still up) would wait forever:
// every statement gets a deadline, past which the connection is dropped.

export interface Db {
  pool: Pool;
  acquireTimeoutMs: number;
  /** Longest one SQL statement may run (default 5 s; above the 3 s row-lock wait of holds). */
  statementTimeoutMs?: number;
}

export const DEFAULT_STATEMENT_TIMEOUT_MS = 5000;

interface Checkout {
  conn: PoolConnection;
  /** Whether any statement on this checkout got an answer from the server. */
  answered: () => boolean;
}

/** Gives every query on this (per-checkout) connection wrapper mysql2's `timeout` unless it sets one. */
function withStatementDeadline(conn: PoolConnection, timeoutMs: number): Checkout {
  const query = conn.query.bind(conn) as (sql: QueryOptions, values?: unknown) => Promise<unknown>;
  let answered = false;
  (conn as unknown as { query: (sql: string | QueryOptions, values?: unknown) => Promise<unknown> }).query = async (sql, values) => {
    const result = await query(typeof sql === 'string' ? { sql, timeout: timeoutMs } : { timeout: timeoutMs, ...sql }, values);
    answered = true;
    return result;
  };
  return { conn, answered: () => answered };
}

const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'PROTOCOL_CONNECTION_LOST', 'EPIPE', 'ENOTFOUND', 'POOL_CLOSED', 'ER_CON_COUNT_ERROR', 'PROTOCOL_SEQUENCE_TIMEOUT']);

/** The connection was found closed (not slow): a pooled connection that died while idle. */
const CLOSED_CONNECTION = new Set(['PROTOCOL_CONNECTION_LOST', 'ECONNRESET', 'EPIPE']);

export function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return (code !== undefined && CONNECTION_ERRORS.has(code)) || (err as Error)?.message === 'Queue limit reached.' || (err as { fatal?: boolean })?.fatal === true;
}

async function acquire(db: Db): Promise<Checkout> {
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const pending = db.pool.getConnection();
  try {
    const conn = await Promise.race([
      pending,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          timedOut = true;
          reject(new DependencyUnavailableError('db', new Error(`no database connection free within ${db.acquireTimeoutMs} ms`)));
        }, db.acquireTimeoutMs);
      }),
    ]);
    return withStatementDeadline(conn, db.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS);
  } catch (err) {
    // A connection that arrives after we gave up goes straight back to the pool.
    if (timedOut)
      void pending.then(
        (c) => c.release(),
        () => {},
      );
    if (err instanceof DependencyUnavailableError) throw err;
    if (isConnectionError(err)) throw new DependencyUnavailableError('db', err);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs fn on one connection, always released. Connection failures become 503s. A pooled
 * connection that died while idle (a network cut, a database restart) fails on its first
 * statement before anything ran, so that one case is retried once on a fresh connection
 * instead of failing a request the database could have served.
 */
export async function withConnection<T>(db: Db, fn: (conn: PoolConnection) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const { conn, answered } = await acquire(db);
    let broken = false;
    try {
      return await fn(conn);
    } catch (err) {
      if (!isConnectionError(err)) throw err;
      broken = true;
      const code = (err as { code?: string }).code;
      if (attempt === 1 && !answered() && code !== undefined && CLOSED_CONNECTION.has(code)) continue;
      throw new DependencyUnavailableError('db', err);
    } finally {
      // A broken connection must not go back to the pool for the next request to trip on.
      if (broken) conn.destroy();
      else conn.release();
    }
  }
}

/** Runs fn in a transaction: commit on success, rollback on any error. */
export function withTransaction<T>(db: Db, fn: (conn: PoolConnection) => Promise<T>): Promise<T> {
  // As plain queries (mysql2's beginTransaction() etc. bypass the wrapper), so they get the deadline too.
  return withConnection(db, async (conn) => {
    await conn.query('START TRANSACTION');
    try {
      const value = await fn(conn);
      await conn.query('COMMIT');
      return value;
    } catch (err) {
      // A dead connection is dropped (the server rolls back on disconnect); a rollback on
      // it would only wait out another deadline. A failed rollback drops the connection too.
      if (!isConnectionError(err)) await conn.query('ROLLBACK').catch(() => conn.destroy());
      throw err;
    }
  });
}
