import type { Pool, PoolConnection } from 'mysql2/promise';
import { DependencyUnavailableError } from '../errors.ts';

// mysql2's pool queues waiters without a deadline; under pool starvation (report 2.3.1) a
// request would hang. Every connection here is taken with a deadline, and a timeout or a
// connection failure becomes a fast 503 with Retry-After.

export interface Db {
  pool: Pool;
  acquireTimeoutMs: number;
}

const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'PROTOCOL_CONNECTION_LOST', 'EPIPE', 'ENOTFOUND', 'POOL_CLOSED', 'ER_CON_COUNT_ERROR', 'PROTOCOL_SEQUENCE_TIMEOUT']);

export function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return (code !== undefined && CONNECTION_ERRORS.has(code)) || (err as Error)?.message === 'Queue limit reached.' || (err as { fatal?: boolean })?.fatal === true;
}

export async function acquire(db: Db): Promise<PoolConnection> {
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const pending = db.pool.getConnection();
  try {
    return await Promise.race([
      pending,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          timedOut = true;
          reject(new DependencyUnavailableError('db', new Error(`no database connection free within ${db.acquireTimeoutMs} ms`)));
        }, db.acquireTimeoutMs);
      }),
    ]);
  } catch (err) {
    // A connection that arrives after we gave up goes straight back to the pool.
    if (timedOut) void pending.then((c) => c.release(), () => {});
    if (err instanceof DependencyUnavailableError) throw err;
    if (isConnectionError(err)) throw new DependencyUnavailableError('db', err);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** Runs fn on one connection, always released. Connection failures become 503s. */
export async function withConnection<T>(db: Db, fn: (conn: PoolConnection) => Promise<T>): Promise<T> {
  const conn = await acquire(db);
  let broken = false;
  try {
    return await fn(conn);
  } catch (err) {
    if (isConnectionError(err)) {
      broken = true;
      throw new DependencyUnavailableError('db', err);
    }
    throw err;
  } finally {
    // A broken connection must not go back to the pool for the next request to trip on.
    if (broken) conn.destroy();
    else conn.release();
  }
}

/** Runs fn in a transaction: commit on success, rollback on any error. */
export function withTransaction<T>(db: Db, fn: (conn: PoolConnection) => Promise<T>): Promise<T> {
  return withConnection(db, async (conn) => {
    await conn.beginTransaction();
    try {
      const value = await fn(conn);
      await conn.commit();
      return value;
    } catch (err) {
      await conn.rollback().catch(() => {});
      throw err;
    }
  });
}
