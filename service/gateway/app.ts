import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Pool } from 'mysql2/promise';
import { errorMessage } from '../../lib/index.ts';
import { registerChargeRoutes } from './charges.ts';
import { installErrorHandling } from './errors.ts';
import { createInFlight } from './in-flight.ts';
import { closeSocketsWhileDraining } from '../http/drain.ts';
import { createFaults, createKnobs, knobsUpdateSchema, type Knobs } from './knobs.ts';
import { createLedger } from './ledger.ts';
import { registerRefundRoutes } from './refunds.ts';
import { ledgerQuerySchema, MAX_LEDGER_LIMIT, type LedgerQuery } from './schemas.ts';

// The payment gateway stand-in: an external card processor's HTTP API, its own ledger in
// its own database, and knobs a drill turns to make it slow, failing, declining, or
// "charged but the answer never arrived". The factory builds the app and never listens:
// main.ts (or a test) decides where.

export interface GatewayAppOptions {
  pool: Pool;
  /** Initial knob values; out-of-range values fail here, when the app is built. */
  knobs?: Partial<Knobs>;
  /** Source of randomness for the fault knobs (tests inject a sequence). */
  random?: () => number;
  logger?: FastifyServerOptions['logger'];
}

export const BODY_LIMIT_BYTES = 16 * 1024;
const HEALTH_TIMEOUT_MS = 1000;
const DEFAULT_LEDGER_LIMIT = 1000;

async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function createGatewayApp(options: GatewayAppOptions): FastifyInstance {
  const knobs = createKnobs(options.knobs);
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: BODY_LIMIT_BYTES,
    // Fastify's defaults coerce types ("100" -> 100) and silently drop unknown properties;
    // a payment API should refuse both. `verbose` lets errors.ts name the fields of a oneOf.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false, verbose: true } },
  });

  // Closing cuts knob delays short (see createFaults), so a stop never waits 30 s, and
  // ends each keep-alive socket with its answer (../http/drain.ts).
  const closing = closeSocketsWhileDraining(app);

  installErrorHandling(app);
  const ledger = createLedger(options.pool);
  const faults = createFaults(knobs, options.random ?? Math.random, closing);
  const inFlight = createInFlight();
  registerChargeRoutes(app, { ledger, faults, inFlight });
  registerRefundRoutes(app, { ledger, faults, knobs, inFlight });

  app.get<{ Querystring: LedgerQuery }>('/ledger', { schema: { querystring: ledgerQuerySchema } }, async (req) => {
    const since = new Date(req.query.since ?? 0);
    const limit = req.query.limit === undefined ? DEFAULT_LEDGER_LIMIT : Number(req.query.limit);
    const { charges, refunds } = await ledger.since(since, Math.min(limit, MAX_LEDGER_LIMIT));
    // A checker must page (a later `since`) rather than conclude from a cut-off list.
    return { since: since.toISOString(), limit, truncated: charges.length === limit || refunds.length === limit, charges, refunds };
  });

  app.get('/knobs', async () => knobs.get());
  app.put<{ Body: Partial<Knobs> }>('/knobs', { schema: { body: knobsUpdateSchema } }, async (req) => {
    const updated = knobs.update(req.body);
    req.log.warn({ knobs: updated }, 'gateway knobs changed');
    return updated;
  });

  // Health is the process and its ledger, never the simulated outage: a drill must be
  // able to tell "the processor says 503" from "the stand-in is down". `inFlight`: the
  // charges and refunds being worked on (in-flight.ts).
  app.get('/health', async (_req, reply) => {
    try {
      await withTimeout(options.pool.query('SELECT 1'), HEALTH_TIMEOUT_MS, 'the ledger database');
      return { status: 'UP', inFlight: inFlight.count() };
    } catch (err) {
      return reply.code(503).send({ status: 'DOWN', error: errorMessage(err), inFlight: inFlight.count() });
    }
  });

  return app;
}
