import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';
import { createPool } from './db/pool.ts';
import { readFileSync } from 'node:fs';
import { assertAdminToken, readServiceConfig } from './config.ts';
import { createService, type Log } from './app.ts';
import { OpsError, tolerateKafkajsStrayRejections } from '../lib/index.ts';

// The service's entry point: the only place that reads the environment, builds the Kafka,
// Redis and MariaDB clients and installs signal handlers. One process serves HTTP and
// runs the saga consumers (report 2.0.2: one consumer per instance).

const log: Log = (entry) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);

tolerateKafkajsStrayRejections((message) => log({ level: 'warn', msg: message }));

let config;
try {
  config = readServiceConfig(process.env);
} catch (err) {
  process.stderr.write(`service: ${(err as Error).message}\n${err instanceof OpsError && err.hint ? `next: ${err.hint}\n` : ''}`);
  process.exit(2);
}

// The admin token from its file, read once here at the edge (config.ts reads only the env).
let adminToken = config.admin.token;
if (config.admin.tokenFile) {
  try {
    adminToken = readFileSync(config.admin.tokenFile, 'utf8').trim();
    assertAdminToken(adminToken, `ADMIN_TOKEN_FILE (${config.admin.tokenFile})`);
  } catch (err) {
    const hint = err instanceof OpsError ? err.hint : "Check the path and that the service may read it; `ticketctl stack up` writes the stack's token.";
    process.stderr.write(`service: ${err instanceof OpsError ? err.message : `cannot read ADMIN_TOKEN_FILE ${config.admin.tokenFile}: ${(err as Error).message}`}\nnext: ${hint}\n`);
    process.exit(2);
  }
}

const pool = createPool({ ...config.db, connectionLimit: config.db.poolSize, connectTimeoutMs: 3000 });
// No offline queue and one retry per command: a Redis outage must surface at once (the
// seat lock falls back to the database), not park requests behind a reconnect.
const redis = new Redis({
  host: config.redis.host,
  port: config.redis.port,
  connectTimeout: 1000,
  commandTimeout: 1000,
  maxRetriesPerRequest: 1,
  enableOfflineQueue: false,
  retryStrategy: (times) => Math.min(times * 200, 2000),
});
redis.on('error', () => {}); // reconnects by itself; /health/redis reports the outage
const kafka = new Kafka({
  clientId: config.kafka.clientId,
  brokers: config.kafka.brokers,
  connectionTimeout: 3000,
  requestTimeout: 10_000,
  // Above the ~9 s a cluster needs to fence a killed broker (kafkajs's default gives up first).
  retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 5000 },
  logLevel: logLevel.WARN,
  logCreator:
    () =>
    ({ namespace, level, log: l }) =>
      log({ level: level <= logLevel.ERROR ? 'error' : 'warn', msg: l.message, namespace, kafka: true }),
});
// Idempotent (acks=-1, one request in flight: kafkajs #598/#1005): a resend after a
// timeout cannot duplicate or reorder an event within a partition.
const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
const admin = new Kafka({ clientId: `${config.kafka.clientId}-admin`, brokers: config.kafka.brokers, connectionTimeout: 1500, requestTimeout: 3000, retry: { retries: 1 }, logLevel: logLevel.NOTHING }).admin();

const service = createService(config, { pool, redis, kafka, producer, admin }, log, adminToken);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log({ level: 'info', msg: 'shutting down', signal });
  const force = setTimeout(() => {
    log({ level: 'error', msg: 'graceful shutdown took over 25 s; exiting' });
    process.exit(1);
  }, 25_000);
  force.unref();
  try {
    await service.stop();
    await Promise.allSettled([producer.disconnect(), admin.disconnect(), pool.end()]);
    redis.disconnect();
    log({ level: 'info', msg: 'stopped cleanly' });
    process.exit(0);
  } catch (err) {
    log({ level: 'error', msg: 'shutdown failed', error: (err as Error).stack });
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

try {
  await Promise.all([producer.connect(), admin.connect().catch(() => {})]);
  await service.start();
} catch (err) {
  log({ level: 'error', msg: 'start-up failed', error: (err as Error).stack ?? String(err) });
  process.exit(1);
}
