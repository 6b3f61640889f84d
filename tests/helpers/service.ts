import { after } from 'node:test';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { Toxiproxy } from 'toxiproxy-node-client';
import { openServiceDb } from '../../clients/service-db-migrating.ts';
import { createPool } from '../../service/db/pool.ts';
import { seedConcerts, type SeededConcert } from '../../service/store/index.ts';
import { createGatewayClient, type GatewayClient } from '../../service/gateway/client.ts';
import { DATABASES, DEFAULT_SERVICE_INSTANCES } from '../../contracts/topology.ts';
import type { StackContext } from '../../stack/components/types.ts';
import { waitFor } from '../../lib/wait.ts';
import { testStack } from './stack.ts';

// Helpers for tests against the running service instances of the test stack: fresh seats
// per test (so tests never share state), HTTP calls to any instance, database and gateway
// ledger reads (the systems of record), and Toxiproxy switches that always restore.

export const ctx: StackContext = testStack();

export function instanceUrl(n: number): string {
  return `http://${ctx.topology.host}:${ctx.topology.servicePort(n)}`;
}

/** Instance for request i: spreads load over every instance, as a load balancer would. */
export function anyInstance(i = Math.floor(Math.random() * 1e9)): string {
  return instanceUrl((i % DEFAULT_SERVICE_INSTANCES) + 1);
}

export interface HttpResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
  ms: number;
}

export async function call<T = any>(method: string, url: string, body?: unknown, raw?: string, timeoutMs = 30_000): Promise<HttpResult<T>> {
  const t0 = performance.now();
  const res = await fetch(url, {
    method,
    headers: body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : {},
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text, the test will say so
  }
  return { status: res.status, body: parsed as T, headers: res.headers, ms: performance.now() - t0 };
}

let poolPromise: Promise<Pool> | undefined;
/** The service database, for seeding and for checking invariants in SQL. Closed after the file's tests. */
export function serviceDb(): Promise<Pool> {
  poolPromise ??= openServiceDb(ctx);
  return poolPromise;
}

// Open pools would keep the test file's process alive after its last test.
after(async () => {
  if (poolPromise) await (await poolPromise).end().catch(() => {});
  poolPromise = undefined;
});

export async function sql<T extends RowDataPacket[] = RowDataPacket[]>(query: string, values: unknown[] = []): Promise<T> {
  const [rows] = await (await serviceDb()).query<T>(query, values);
  return rows;
}

export async function freshConcert(seats: number, price = 50_000): Promise<SeededConcert> {
  const [c] = await seedConcerts(await serviceDb(), { concerts: 1, seatsPerConcert: seats, price, namePrefix: 'test' });
  return c!;
}

export const gateway: GatewayClient = createGatewayClient({ baseUrl: `http://${ctx.topology.host}:${ctx.topology.gateway.port}`, timeoutMs: 10_000 });

/** Direct pool on the gateway's ledger database, for checks the client API does not cover. Caller ends it. */
export function gatewayDb(): Pool {
  const { user, password, database } = DATABASES.gateway;
  return createPool({ host: ctx.topology.host, port: ctx.topology.mariadb.proxy, user, password, database, connectionLimit: 2, queueLimit: 50, connectTimeoutMs: 3000 });
}

export const toxiproxy = new Toxiproxy(`http://${ctx.topology.host}:${ctx.topology.toxiproxyApi}`);

/** Disables the named proxies while fn runs, and always re-enables them. */
export async function withProxiesDisabled<T>(names: string[], fn: () => Promise<T>): Promise<T> {
  const set = async (enabled: boolean) => {
    for (const name of names) {
      const p = await toxiproxy.get(name);
      await p.update({ enabled, listen: p.listen, upstream: p.upstream });
    }
  };
  await set(false);
  try {
    return await fn();
  } finally {
    await set(true);
  }
}

export interface HoldResult {
  holdId: string;
  seatId: number;
  userId: string;
}

export async function hold(seatId: number, userId: string, instance = anyInstance()): Promise<HoldResult> {
  const r = await call<HoldResult>('POST', `${instance}/holds`, { seatId, userId });
  if (r.status !== 201) throw new Error(`hold of seat ${seatId} answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

export type FinalStatus = 'SUCCESS' | 'FAILED' | 'CANCELLED' | 'REFUNDED';

/** Polls a payment (on any instance) until it leaves PENDING; returns its final body. */
export async function waitForFinal(paymentTxId: string, timeoutMs = 90_000, accept: (status: string) => boolean = (s) => s !== 'PENDING'): Promise<any> {
  return waitFor(
    async () => {
      const r = await call('GET', `${anyInstance()}/payments/${paymentTxId}`);
      return r.status === 200 && accept(r.body.status) ? r.body : undefined;
    },
    { timeoutMs, intervalMs: 300, what: `payment ${paymentTxId} to reach a final state` },
  );
}

/** Sets gateway knobs for fn and restores the previous ones afterwards. */
export async function withGatewayKnobs<T>(patch: Record<string, number>, fn: () => Promise<T>): Promise<T> {
  const before = await gateway.getKnobs();
  await gateway.setKnobs(patch);
  try {
    return await fn();
  } finally {
    await gateway.setKnobs(before);
  }
}
