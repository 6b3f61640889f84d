import type { Admin, Kafka, Producer } from 'kafkajs';
import type { Redis } from 'ioredis';
import type { Pool } from 'mysql2/promise';
import type { FastifyInstance } from 'fastify';
import { loadMigrations, migrate } from './db/migrate.ts';
import { MIGRATIONS_DIR } from './db/paths.ts';
import type { Db } from './db/connection.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { createHeartbeat } from './heartbeat.ts';
import { createHealth } from './health.ts';
import { createSeatLocks } from './reservations/seat-lock.ts';
import { createReservations } from './reservations/holds.ts';
import { createSweeper } from './reservations/sweeper.ts';
import { createPayments } from './payments/transactions.ts';
import { createOutboxRelay } from './payments/outbox-relay.ts';
import { createSaga } from './payments/saga.ts';
import { createSagaConsumer, type SagaConsumer } from './payments/consumer.ts';
import { createCircuitBreaker } from './payments/breaker.ts';
import { createRetryPolicy } from './payments/retry-policy.ts';
import { chargeGatewayFrom } from './payments/gateway-adapter.ts';
import { createRefunder } from './payments/refunds.ts';
import { createDeadlineSweep } from './payments/deadline.ts';
import { createReconciler, type Reconciler } from './reconcile/reconciler.ts';
import { createGatewayClient } from './gateway/client.ts';
import { createHttpServer } from './http/server.ts';
import { reservationRoutes } from './http/routes/reservations.ts';
import { paymentRoutes } from './http/routes/payments.ts';
import { operationsRoutes } from './http/routes/operations.ts';
import { adminRoutes, requireBearerToken } from './http/routes/admin.ts';
import { refreshMetrics } from './refresh-metrics.ts';
import { createStatusView } from './status-view/status-view.ts';
import { createStatusViewTail } from './status-view/tail.ts';
import type { ServiceConfig } from './config.ts';

// Wires one service instance from clients built by main.ts (or a test). No env, no
// signals here: start() and stop() are the whole lifecycle.

export interface ServiceClients {
  pool: Pool;
  redis: Redis;
  kafka: Kafka;
  producer: Producer;
  admin: Admin;
}

export type Log = (entry: Record<string, unknown>) => void;

export interface Service {
  http: FastifyInstance;
  metrics: Metrics;
  consumer: SagaConsumer;
  reconciler: Reconciler;
  start(): Promise<void>;
  /** Graceful: stop taking requests, finish in-flight work, commit offsets, stop loops. */
  stop(): Promise<void>;
}

/** `adminToken`: the admin listener's bearer token (main.ts reads ADMIN_TOKEN_FILE), null: no admin listener. */
export function createService(config: ServiceConfig, clients: ServiceClients, log: Log, adminToken: string | null = config.admin.token): Service {
  const db: Db = { pool: clients.pool, acquireTimeoutMs: config.db.acquireTimeoutMs, statementTimeoutMs: config.db.statementTimeoutMs, requestDeadlineMs: config.db.requestDeadlineMs };
  const metrics = createMetrics(config.instanceId);
  const errorLog = (where: string) => (err: unknown) => log({ level: 'warn', msg: where, error: (err as Error)?.message ?? String(err) });

  const breaker = createCircuitBreaker({ name: 'payment-gateway', openDurationMs: config.breaker.openDurationMs });
  breaker.onStateChange((c) => {
    for (const state of ['CLOSED', 'OPEN', 'HALF_OPEN']) metrics.breakerOpen.set({ breaker: c.breaker, state }, state === c.to ? 1 : 0);
    log({ level: 'warn', msg: 'circuit breaker state change', ...c });
  });
  metrics.breakerOpen.set({ breaker: 'payment-gateway', state: 'CLOSED' }, 1);
  const retry = createRetryPolicy({ baseDelayMs: config.retry.baseDelayMs, maxDelayMs: config.retry.maxDelayMs, emergency: config.retry.emergency });

  const locks = createSeatLocks({ redis: clients.redis, owner: config.instanceId, ttlMs: config.lockTtlMs, onError: errorLog('seat lock') });
  const reservations = createReservations({ db, locks, holdTtlMs: config.holdTtlMs, lockWith: config.seatLock, onLockFallback: () => metrics.lockFallback.inc() });
  const payments = createPayments({ db, deadlineMs: config.paymentDeadlineMs });
  const relay = createOutboxRelay({
    db,
    owner: config.instanceId,
    producer: clients.producer,
    onPublished: (n) => metrics.producerSent.inc(n),
    onError: (err) => {
      metrics.producerFailed.inc();
      errorLog('outbox relay')(err);
    },
  });
  const gateway = chargeGatewayFrom(createGatewayClient({ baseUrl: config.gateway.url, timeoutMs: config.gateway.timeoutMs }));
  const refunder = createRefunder({ db, gateway, breaker, onRefunded: (reason) => metrics.refunds.inc({ reason }), onError: (err, where) => errorLog(`refund: ${where}`)(err) });
  const saga = createSaga({
    db,
    gateway,
    breaker,
    retry,
    refunder,
    onOutcome: (_topic, outcome) => {
      if (outcome === 'retry-scheduled') metrics.paymentRetry.inc();
      if (outcome !== 'skipped') relay.nudge();
    },
  });
  const consumer = createSagaConsumer({
    kafka: clients.kafka,
    producer: clients.producer,
    saga,
    instanceId: config.instanceId,
    onProcessed: (topic, seconds, result) => {
      metrics.eventProcessing.observe({ topic, result }, seconds);
      if (result === 'dlq') metrics.dlq.inc({ topic });
    },
    onError: (err, where) => errorLog(`saga ${where}`)(err),
  });
  // Report 2.0.1 #3: polls answer from the event log while the database cannot be read.
  const statusView = createStatusView();
  const statusTail = createStatusViewTail({
    kafka: clients.kafka,
    view: statusView,
    instanceId: config.instanceId,
    lookbackMs: config.statusViewLookbackMs,
    onApplied: () => metrics.statusViewEntries.set(statusView.size()),
    onError: errorLog('status view'),
  });
  const sweeper = createSweeper(() => reservations.releaseExpiredHolds(), config.sweepIntervalMs, errorLog('hold sweeper'));
  const deadlines = createDeadlineSweep({ db, refunder, onExpired: () => metrics.deadlineExpired.inc() });
  const deadlineSweeper = createSweeper(() => deadlines.failOverdue(), Math.max(config.sweepIntervalMs, 1000), errorLog('payment deadline sweeper'));
  const reconciler = createReconciler({
    db,
    gateway,
    breaker,
    refunder,
    intervalMs: config.reconcile.intervalMs,
    onRefunded: (why) => metrics.reconciled.inc({ why }),
    onPass: (result, lag) => {
      metrics.reconcilePasses.inc({ result });
      if (lag !== undefined) metrics.reconcileLag.set(lag);
    },
    onError: errorLog('reconciler'),
  });
  const heartbeat = createHeartbeat({ redis: clients.redis, instanceId: config.instanceId, ...config.heartbeat, onError: errorLog('heartbeat') });
  const health = createHealth({ db, redis: clients.redis, kafkaAdmin: clients.admin, metrics });

  const http = createHttpServer({ log, onResponse: (route, status) => metrics.httpRequests.inc({ route, status: String(status) }) });
  reservationRoutes(http, { reservations, db, metrics });
  paymentRoutes(http, { payments, onAccepted: () => relay.nudge(), statusView, onFallback: (status) => metrics.pollFallback.inc({ status }) });
  operationsRoutes(http, { instanceId: config.instanceId, health, metrics, refreshMetrics: () => refreshMetrics(metrics, db, config.db.poolSize, clients.admin) });
  // The operator switches listen apart, behind the token; without one they are off (config.ts).
  const adminHttp = adminToken === null ? null : createHttpServer({ log });
  if (adminHttp && adminToken !== null) {
    requireBearerToken(adminHttp, adminToken);
    adminRoutes(adminHttp, { instanceId: config.instanceId, breaker, retry, consumerProfile: () => consumer.profile(), switchConsumerProfile: (p) => consumer.switchProfile(p) });
  }

  return {
    http,
    metrics,
    consumer,
    reconciler,
    async start() {
      const applied = await migrate(clients.pool, loadMigrations(MIGRATIONS_DIR), 'ticketing_migrations');
      if (applied.length) log({ level: 'info', msg: 'migrations applied', applied });
      relay.start();
      sweeper.start();
      deadlineSweeper.start();
      reconciler.start();
      statusTail.start(); // connects in the background; Kafka being down must not stop start-up
      heartbeat.start(); // before serving: a lock this instance takes has a live owner from the first request
      if (adminHttp) await adminHttp.listen({ port: config.admin.port, host: config.admin.host });
      else log({ level: 'warn', msg: 'admin API off: no ADMIN_TOKEN_FILE or ADMIN_TOKEN, so breaker, retry mode and consumer profile cannot be switched on this instance' });
      await http.listen({ port: config.port, host: config.host });
      log({ level: 'info', msg: 'service listening', instanceId: config.instanceId, port: config.port, adminPort: adminHttp ? config.admin.port : null });
      // Joining the group can take a rebalance; HTTP (and payment intake) need not wait.
      if (config.consumersEnabled) await consumer.start();
    },
    async stop() {
      // Each step in order; one that takes over a second is logged, so a slow shutdown says where it waited.
      const step = async (name: string, fn: () => Promise<unknown>) => {
        const t0 = Date.now();
        await fn();
        if (Date.now() - t0 > 1000) log({ level: 'warn', msg: 'slow shutdown step', step: name, ms: Date.now() - t0 });
      };
      await step('http', () => Promise.all([http.close(), adminHttp?.close()])); // stops accepting; waits for in-flight requests
      await step('saga consumer', () => consumer.stop()); // finishes the current batch, commits offsets, leaves the group
      await step('hold sweeper', () => sweeper.stop());
      await step('deadline sweeper', () => deadlineSweeper.stop());
      await step('reconciler', () => reconciler.stop());
      await step('outbox relay', () => relay.stop());
      await step('status view', () => statusTail.stop());
      await step('heartbeat', () => heartbeat.stop()); // last: until here the instance may still hold seat locks
    },
  };
}
