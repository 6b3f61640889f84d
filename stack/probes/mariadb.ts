import mysql from 'mysql2/promise';

export type MariadbTarget = { socketPath: string; user: string } | { port: number; user: string; password: string; database?: string };

/** Opens one connection, runs one query, closes. */
export async function mariadbQuery<T = unknown>(target: MariadbTarget, sql: string, values: unknown[] = []): Promise<T> {
  const conn = await mysql.createConnection({
    ...('socketPath' in target ? { socketPath: target.socketPath, user: target.user } : { host: '127.0.0.1', ...target }),
    connectTimeout: 2000,
    multipleStatements: false,
  });
  try {
    const [rows] = await conn.query(sql, values);
    return rows as T;
  } finally {
    await conn.end().catch(() => conn.destroy());
  }
}
