import { after } from 'node:test';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { localServiceDb, openServiceDb } from '../../clients/service-db.ts';
import { seedConcerts, type SeededConcert } from '../../service/store/index.ts';
import type { GatewayClient } from '../../service/gateway/client.ts';
import { DEFAULT_SERVICE_INSTANCES } from '../../contracts/topology.ts';
import type { StackContext } from '../../stack/components/types.ts';
import { waitFor } from '../../lib/wait.ts';
import { testStack } from './stack.ts';
import { httpRequest, HttpUnreachable } from '../../lib/http.ts';
import { createToxiproxyApi } from '../../clients/toxiproxy.ts';
import { gatewayAt, openGatewayLedgerDb } from '../../clients/gateway.ts';
import { CREDENTIALS, readCredential } from '../../stack/credentials/index.ts';

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

/** Throws fetch's own error when nothing answers (tests match its code); any status is a result. */
export async function call<T = any>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown, raw?: string, timeoutMs = 30_000): Promise<HttpResult<T>> {
  try {
    const a = await httpRequest(url, { method, body, ...(raw !== undefined ? { rawBody: raw, headers: { 'content-type': 'application/json' } } : {}), timeoutMs });
    // Not JSON: keep the text (also when empty), the test will say so.
    return { status: a.status, body: (a.body ?? a.text) as T, headers: a.headers, ms: a.ms };
  } catch (err) {
    throw err instanceof HttpUnreachable ? err.cause : err;
  }
}

/** Instance n's admin listener (operator switches), which needs the stack's admin token. */
export function adminUrl(n: number): string {
  return `http://${ctx.topology.host}:${ctx.topology.serviceAdminPort(n)}`;
}

/** The stack's admin token (stack/credentials), as ticketctl's local context reads it. */
export function adminToken(): string {
  const token = readCredential(ctx.paths, CREDENTIALS.adminToken);
  if (!token) throw new Error(`no admin token in ${ctx.paths.credentials}: run \`ticketctl stack up\` first`);
  return token;
}

/** A request to instance n's admin listener, with the stack's bearer token (or `token`, to test refusals). */
export async function adminCall<T = any>(method: 'GET' | 'POST' | 'PUT', n: number, path: string, body?: unknown, token: string | null = adminToken()): Promise<HttpResult<T>> {
  const a = await httpRequest(`${adminUrl(n)}${path}`, { method, body, timeoutMs: 30_000, headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  return { status: a.status, body: (a.body ?? a.text) as T, headers: a.headers, ms: a.ms };
}

let poolPromise: Promise<Pool> | undefined;
/** The service database, for seeding and for checking invariants in SQL. Closed after the file's tests. */
export function serviceDb(): Promise<Pool> {
  poolPromise ??= Promise.resolve(openServiceDb(localServiceDb(ctx.topology)));
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

export const gateway: GatewayClient = gatewayAt(`http://${ctx.topology.host}:${ctx.topology.gateway.port}`, 10_000);

/** Direct pool on the gateway's ledger database, for checks the client API does not cover. Caller ends it. */
export function gatewayDb(): Pool {
  return openGatewayLedgerDb(ctx.topology);
}

export const toxiproxy = createToxiproxyApi(`http://${ctx.topology.host}:${ctx.topology.toxiproxyApi}`);

/** Disables the named proxies while fn runs, and always re-enables them. */
export async function withProxiesDisabled<T>(names: string[], fn: () => Promise<T>): Promise<T> {
  const set = async (enabled: boolean) => {
    for (const name of names) await toxiproxy.setEnabled(name, enabled);
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
  /** POST /holds answers it once; paying and cancelling need it. */
  holdSecret: string;
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

/** The gateway's default behaviour (every fault knob off, refunds capped at the charge) and every instance's breaker closed: a clean slate even after an aborted run. */
export async function cleanGatewayAndBreakers(): Promise<void> {
  await gateway.setKnobs({ latencyMs: 0, errorRate: 0, declineRate: 0, timeoutAfterChargeRate: 0, refundPolicy: 'up-to-amount' });
  for (let n = 1; n <= DEFAULT_SERVICE_INSTANCES; n++) await adminCall('POST', n, '/admin/breaker', { action: 'reset' });
}
