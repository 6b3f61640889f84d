import type { Pool } from 'mysql2/promise';
import { createPool } from '../service/db/pool.ts';
import { loadMigrations, migrate } from '../service/db/migrate.ts';
import { MIGRATIONS_DIR } from '../service/db/paths.ts';
import type { StackContext } from '../stack/components/types.ts';
import { DATABASES } from '../contracts/databases.ts';

/** A small pool on the service's database, through its proxy, with the schema up to date. */
export async function openServiceDb(ctx: StackContext): Promise<Pool> {
  const { user, password, database } = DATABASES.service;
  const pool = createPool({ host: ctx.topology.host, port: ctx.topology.mariadb.proxy, user, password, database, connectionLimit: 4, queueLimit: 100, connectTimeoutMs: 3000 });
  await migrate(pool, loadMigrations(MIGRATIONS_DIR), 'ticketing_migrations');
  return pool;
}
