import mysql, { type Pool } from 'mysql2/promise';

export interface PoolOptions {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** Connections in the pool (report 2.3.1: pool exhaustion is a drill). */
  connectionLimit: number;
  /** Requests waiting for a connection beyond this are refused at once, not queued forever. */
  queueLimit: number;
  connectTimeoutMs: number;
}

/**
 * A mysql2 pool that cannot hang a request: a bounded wait queue, a connect timeout, and
 * TCP keep-alive so a silently dropped connection is noticed.
 */
export function createPool(o: PoolOptions): Pool {
  return mysql.createPool({
    host: o.host,
    port: o.port,
    user: o.user,
    password: o.password,
    database: o.database,
    connectionLimit: o.connectionLimit,
    maxIdle: o.connectionLimit,
    queueLimit: o.queueLimit,
    connectTimeout: o.connectTimeoutMs,
    enableKeepAlive: true,
    keepAliveInitialDelay: 10_000,
    waitForConnections: true,
    dateStrings: false,
    timezone: 'Z',
    supportBigNumbers: true,
    decimalNumbers: true,
  });
}
