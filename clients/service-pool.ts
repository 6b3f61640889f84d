import type { Pool } from 'mysql2/promise';
import { OpsError } from '../lib/errors.ts';
import { createPool } from '../service/db/pool.ts';
import { createGatewayClient, type GatewayClient } from '../service/gateway/client.ts';
import type { Context } from './context.ts';

// The systems of record the payment and event runbooks read and change: the service's
// database (a small pool, so the saga's own helpers that take a pooled connection can be
// reused as they are) and the payment gateway through its HTTP API, as the saga reaches it.

/** A pool on the context's service database for fn; closed afterwards. Connection failures say what to run next. */
export async function withServicePool<T>(c: Context, fn: (pool: Pool) => Promise<T>): Promise<T> {
  const pool = createPool({ ...c.mariadb, connectionLimit: 3, queueLimit: 100, connectTimeoutMs: 3000 });
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

/** The gateway client the saga uses, pointed at the context's gateway. */
export function gatewayFor(c: Context): GatewayClient {
  return createGatewayClient({ baseUrl: c.gatewayUrl, timeoutMs: 10_000 });
}
