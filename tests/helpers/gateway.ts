import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { createTopology } from '../../contracts/topology.ts';
import { DATABASES } from '../../contracts/databases.ts';
import { createToxiproxyApi, type ToxicBody } from '../../clients/toxiproxy.ts';
import { loadMigrations, migrate } from '../../service/db/migrate.ts';
import { createPool } from '../../service/db/pool.ts';
import { createGatewayApp, type GatewayAppOptions } from '../../service/gateway/app.ts';
import { createGatewayClient, type GatewayClient } from '../../service/gateway/client.ts';

// Shared by the gateway's live tests (service/gateway/*.live.test.ts; not a test itself):
// a real app on a real port against the live stack's MariaDB, through its Toxiproxy proxy,
// with keys no other run uses. It lives here, not in service/, so the image never ships it.

export interface TestGateway {
  app: FastifyInstance;
  pool: Pool;
  baseUrl: string;
  client: GatewayClient;
  close(): Promise<void>;
}

/** The stack's MariaDB proxy, honouring TICKETCTL_PORT_OFFSET like the other tests. */
export function testDbConfig() {
  const topology = createTopology({ portOffset: Number(process.env.TICKETCTL_PORT_OFFSET ?? 0) });
  return { host: topology.host, port: topology.mariadb.proxy, ...DATABASES.gateway };
}

export interface TestGatewayOptions extends Omit<GatewayAppOptions, 'pool'> {
  /** Reach the ledger database on this port instead (a test's own Toxiproxy proxy). */
  dbPort?: number;
}

export async function startTestGateway({ dbPort, ...options }: TestGatewayOptions = {}): Promise<TestGateway> {
  const pool = createPool({ ...testDbConfig(), ...(dbPort === undefined ? {} : { port: dbPort }), connectionLimit: 10, queueLimit: 1000, connectTimeoutMs: 5000 });
  await migrate(pool, loadMigrations(path.join(import.meta.dirname, '..', '..', 'service', 'gateway', 'migrations')), 'gateway_migrations');
  const app = createGatewayApp({ ...options, pool });
  const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    app,
    pool,
    baseUrl,
    client: createGatewayClient({ baseUrl, timeoutMs: 10_000 }),
    async close() {
      await app.close();
      await pool.end();
    },
  };
}

/**
 * A Toxiproxy proxy of the test's own in front of the stack's MariaDB (the shared `mariadb`
 * proxy stays untouched), on a free port; remove() deletes it with every toxic on it.
 */
export async function privateDbProxy(prefix: string): Promise<{ name: string; port: number; addToxic(t: ToxicBody): Promise<unknown>; remove(): Promise<boolean> }> {
  const topology = createTopology({ portOffset: Number(process.env.TICKETCTL_PORT_OFFSET ?? 0) });
  const toxiproxy = createToxiproxyApi(`http://${topology.host}:${topology.toxiproxyApi}`);
  const proxy = await toxiproxy.createProxy({ name: `${prefix}-${randomUUID()}`, listen: `${topology.host}:0`, upstream: `${topology.host}:${topology.mariadb.port}` });
  return {
    name: proxy.name,
    port: Number(proxy.listen.split(':').at(-1)),
    addToxic: (t) => toxiproxy.addToxic(proxy.name, t),
    remove: () => toxiproxy.deleteProxy(proxy.name),
  };
}

export function newKey(prefix = 'test'): string {
  return `${prefix}-${randomUUID()}`;
}

export const newTxId = (): string => randomUUID();

/** Raw HTTP for the cases the typed client cannot express (bad input). */
export async function post(baseUrl: string, url: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  const res = await fetch(new URL(url, baseUrl), { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

export async function get(baseUrl: string, url: string) {
  const res = await fetch(new URL(url, baseUrl));
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

export async function countRows(pool: Pool, sql: string, params: unknown[]): Promise<number> {
  const [rows] = await pool.query<RowDataPacket[]>(sql, params);
  return Number(rows[0]?.n);
}
