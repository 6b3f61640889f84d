import type { Pool } from 'mysql2/promise';
import { createGatewayClient, type GatewayClient, createPool } from '../service/index.ts';
import { DATABASES } from '../contracts/index.ts';
import type { Topology } from '../contracts/index.ts';
import type { Context } from './context.ts';

// The payment gateway's HTTP API (charges, refunds, the ledger, the stand-in's fault
// knobs) through the same client the service's saga uses, so a refund ticketctl makes is
// the request the saga would make.

/** The gateway as the context's clients reach it (its proxy, for the local stack). */
export function gatewayFor(c: Pick<Context, 'gatewayUrl'>, timeoutMs = 10_000): GatewayClient {
  return createGatewayClient({ baseUrl: c.gatewayUrl, timeoutMs });
}

/** The gateway's own address, past its proxy: a drill's knobs must be reachable while the proxy is cut. */
export function gatewayAt(baseUrl: string, timeoutMs = 5000): GatewayClient {
  return createGatewayClient({ baseUrl, timeoutMs });
}

/**
 * The stand-in's own ledger database, through the stack's proxy: only checkers read it
 * (the drills' invariants, tests), to see every charge the gateway recorded whatever its
 * API answered. A real processor has only its API; nothing that acts on money uses this.
 */
export function openGatewayLedgerDb(t: Pick<Topology, 'host' | 'mariadb'>): Pool {
  const { user, password, database } = DATABASES.gateway;
  return createPool({ host: t.host, port: t.mariadb.proxy, user, password, database, connectionLimit: 2, queueLimit: 50, connectTimeoutMs: 3000 });
}
