import type { Pool, PoolConnection, QueryOptions } from 'mysql2/promise';
import { DependencyUnavailableError } from '../errors.ts';

// mysql2's pool queues waiters without a deadline; under pool starvation (report 2.3.1) a
// request would hang. Every connection here is taken with a deadline, and a timeout or a
// connection failure becomes a fast 503 with Retry-After. Likewise a query on a pooled
// connection whose link went silent (packets dropped, TCP still up) would wait forever:
// every statement gets a deadline, past which the connection is dropped.
//
// A request path (payment intake, holds) also gets a deadline for the whole call
// (`{ deadlineMs }`, DB_REQUEST_DEADLINE_MS): under a slow database each of its ~6
// statements could take most of the statement timeout, so a request answered 503 only
// after 9-11 s (report 2.3.1, drill db-pool-starvation). With a deadline, acquiring the
// connection and every statement share one budget: each statement gets mysql2's `timeout`
// set to the time left, and none starts once it is spent, so the answer is a 503 with
// Retry-After in about the deadline. As with the statement timeout, a COMMIT cut off by
// the deadline may have committed: both callers are safe to retry (the paymentTxId makes
// intake idempotent; a hold retried finds the seat held).

export interface Db {
  pool: Pool;
  acquireTimeoutMs: number;
  /** Longest one SQL statement may run (default 5 s; above the 3 s row-lock wait of holds). */
  statementTimeoutMs?: number;
  /** Whole-call budget of request paths (payment intake, holds), passed as `{ deadlineMs }`; default 3 s. */
  requestDeadlineMs?: number;
}

export const DEFAULT_STATEMENT_TIMEOUT_MS = 5000;
/** Under the 4 s a 503 may take (drill db-pool-starvation), above the 2 s acquire timeout. */
export const DEFAULT_REQUEST_DEADLINE_MS = 3000;

export interface CallOptions {
  /** The whole call (connection, every statement, COMMIT) must end within this; past it: 503. */
  deadlineMs?: number;
}

/** The deadline request paths pass: `withTransaction(db, fn, requestDeadline(db))`. */
export const requestDeadline = (db: Db): CallOptions => ({ deadlineMs: db.requestDeadlineMs ?? DEFAULT_REQUEST_DEADLINE_MS });

/** Counted as a connection error: the connection (mid-transaction) is dropped, the server rolls back. */
const DEADLINE_CODE = 'DB_DEADLINE_EXCEEDED';
const deadlineError = (deadlineMs: number) => Object.assign(new Error(`the database call took longer than its ${deadlineMs} ms deadline`), { code: DEADLINE_CODE });

interface Checkout {
  conn: PoolConnection;
  /** Whether any statement on this checkout got an answer from the server. */
  answered: () => boolean;
}

interface Deadline {
  at: number;
  ms: number;
}

/**
 * Gives every query on this (per-checkout) connection wrapper mysql2's `timeout` unless it
 * sets one: the statement timeout, or the time left before the call's deadline if sooner.
 */
function withStatementDeadline(conn: PoolConnection, timeoutMs: number, deadline?: Deadline): Checkout {
  const query = conn.query.bind(conn) as (sql: QueryOptions, values?: unknown) => Promise<unknown>;
  let answered = false;
  (conn as unknown as { query: (sql: string | QueryOptions, values?: unknown) => Promise<unknown> }).query = async (sql, values) => {
    const left = deadline ? deadline.at - Date.now() : Infinity;
    if (left <= 0) throw deadlineError(deadline!.ms);
    const timeout = Math.min(timeoutMs, left);
    const result = await query(typeof sql === 'string' ? { sql, timeout } : { timeout, ...sql }, values).catch((err: unknown) => {
      // mysql2's timeout fired because the deadline, not the statement timeout, was nearer.
      if (deadline && timeout < timeoutMs && (err as { code?: string } | null)?.code === 'PROTOCOL_SEQUENCE_TIMEOUT') throw Object.assign(deadlineError(deadline.ms), { cause: err });
      throw err;
    });
    answered = true;
    return result;
  };
  return { conn, answered: () => answered };
}

const CONNECTION_ERRORS = new Set([DEADLINE_CODE, 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'PROTOCOL_CONNECTION_LOST', 'EPIPE', 'ENOTFOUND', 'POOL_CLOSED', 'ER_CON_COUNT_ERROR', 'PROTOCOL_SEQUENCE_TIMEOUT']);

/** The connection was found closed (not slow): a pooled connection that died while idle. */
const CLOSED_CONNECTION = new Set(['PROTOCOL_CONNECTION_LOST', 'ECONNRESET', 'EPIPE']);

export function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return (code !== undefined && CONNECTION_ERRORS.has(code)) || (err as Error)?.message === 'Queue limit reached.' || (err as { fatal?: boolean })?.fatal === true;
}

async function acquire(db: Db, deadline?: Deadline): Promise<Checkout> {
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const waitMs = Math.min(db.acquireTimeoutMs, deadline ? deadline.at - Date.now() : Infinity);
  if (waitMs <= 0) throw new DependencyUnavailableError('db', deadlineError(deadline!.ms));
  const pending = db.pool.getConnection();
  try {
    const conn = await Promise.race([
      pending,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          timedOut = true;
          reject(new DependencyUnavailableError('db', new Error(`no database connection free within ${waitMs} ms`)));
        }, waitMs);
      }),
    ]);
    return withStatementDeadline(conn, db.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS, deadline);
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
export async function withConnection<T>(db: Db, fn: (conn: PoolConnection) => Promise<T>, options: CallOptions = {}): Promise<T> {
  // One deadline for the whole call, the retry on a fresh connection included.
  const deadline = options.deadlineMs === undefined ? undefined : { at: Date.now() + options.deadlineMs, ms: options.deadlineMs };
  for (let attempt = 1; ; attempt++) {
    const { conn, answered } = await acquire(db, deadline);
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

/** Runs fn in a transaction: commit on success, rollback on any error. With `deadlineMs`, all of it within that (else 503). */
export function withTransaction<T>(db: Db, fn: (conn: PoolConnection) => Promise<T>, options: CallOptions = {}): Promise<T> {
  // As plain queries (mysql2's beginTransaction() etc. bypass the wrapper), so they get the deadline too.
  return withConnection(
    db,
    async (conn) => {
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
    },
    options,
  );
}
