import path from 'node:path';
import { errorMessage, OpsError } from '../../lib/index.ts';
import { loadMigrations, migrate } from '../db/migrate.ts';
import { createPool } from '../db/pool.ts';
import { createGatewayApp } from './app.ts';
import { readGatewayConfig, type GatewayConfig } from './config.ts';

// Entry point of the payment gateway stand-in, run as its own process:
//   node service/gateway/main.ts
// The only place that reads the environment and installs signal handlers. Exit codes:
// 0 stopped cleanly (SIGTERM/SIGINT), 1 could not start or stop, 2 bad environment.
// Logs are JSON lines on stdout: start and stop here, Fastify's logger at 'warn' for the
// rest (5xx answers, knob changes), so a request costs no log line unless it goes wrong.

// Under the supervisor's 15 s stop timeout (stack/components/gateway.ts), so we exit on our own terms.
const SHUTDOWN_DEADLINE_MS = 10_000;

function log(level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ level, time: new Date().toISOString(), name: 'gateway', msg, ...fields })}\n`);
}

function fail(code: number, message: string, hint?: string): never {
  process.stderr.write(`gateway: ${message}\n${hint ? `  ${hint}\n` : ''}`);
  process.exit(code);
}

async function start(config: GatewayConfig): Promise<void> {
  const pool = createPool({ ...config.db, connectionLimit: 10, queueLimit: 200, connectTimeoutMs: 5000 });
  const dbAt = `${config.db.user}@${config.db.host}:${config.db.port}/${config.db.database}`;
  try {
    const applied = await migrate(pool, loadMigrations(path.join(import.meta.dirname, 'migrations')), 'gateway_migrations');
    if (applied.length > 0) log('info', 'migrations applied', { applied });
  } catch (err) {
    await pool.end().catch(() => undefined);
    fail(1, `cannot prepare the ledger database ${dbAt}: ${errorMessage(err)}`, 'Is MariaDB up? Run `ticketctl stack status`, or point GATEWAY_DB_* at a reachable server.');
  }

  const app = createGatewayApp({ pool, knobs: config.knobs, logger: { level: 'warn' } });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    await pool.end().catch(() => undefined);
    fail(1, `cannot listen on ${config.host}:${config.port}: ${errorMessage(err)}`, 'Free the port, or choose another with GATEWAY_PORT.');
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  log('info', 'gateway listening', { url: `http://${config.host}:${port}`, pid: process.pid, db: dbAt });

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      log('warn', 'second signal: exiting without waiting for in-flight requests', { signal });
      process.exit(1);
    }
    stopping = true;
    log('info', 'stopping: no new connections, finishing in-flight requests', { signal });
    const deadline = setTimeout(() => {
      log('error', `in-flight requests did not finish within ${SHUTDOWN_DEADLINE_MS} ms; exiting anyway`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    try {
      await app.close();
      await pool.end();
      log('info', 'gateway stopped');
      process.exit(0);
    } catch (err) {
      log('error', 'shutdown failed', { error: errorMessage(err) });
      process.exit(1);
    }
  };
  process.on('SIGTERM', (s) => void stop(s));
  process.on('SIGINT', (s) => void stop(s));
}

let config: GatewayConfig;
try {
  config = readGatewayConfig(process.env);
} catch (err) {
  if (err instanceof OpsError) fail(err.exitCode, err.message, err.hint);
  throw err;
}
await start(config).catch((err: unknown) => fail(1, `unexpected start-up failure: ${errorMessage(err)}`, 'This is a bug in the gateway stand-in; please report it with this output.'));
