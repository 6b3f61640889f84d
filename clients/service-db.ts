import mysql, { type Connection } from 'mysql2/promise';
import type { Context } from './context.ts';

/** One connection as the service's user (through the proxy, for the local stack); closed after fn. */
export async function withServiceDb<T>(c: Context, fn: (conn: Connection) => Promise<T>): Promise<T> {
  const conn = await mysql.createConnection({ ...c.mariadb, connectTimeout: 2500, multipleStatements: false });
  try {
    return await fn(conn);
  } finally {
    await conn.end().catch(() => conn.destroy());
  }
}
