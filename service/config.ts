import { UsageError } from '../lib/index.ts';
import { ADMIN_PORT_OFFSET, createTopology, DATABASES, HEARTBEAT_INTERVAL_MS, HEARTBEAT_TTL_MS } from '../contracts/index.ts';

// The service's settings, from environment variables only (read in main.ts). Defaults
// point at the local stack's proxies, so `node service/main.ts` just works beside
// `ticketctl stack up`. A bad value stops start-up with the variable's name and the fix.

export interface ServiceConfig {
  port: number;
  host: string;
  instanceId: string;
  db: { host: string; port: number; user: string; password: string; database: string; poolSize: number; queueLimit: number; acquireTimeoutMs: number; statementTimeoutMs: number; requestDeadlineMs: number };
  redis: { host: string; port: number };
  /** The instance's heartbeat in Redis (contracts/heartbeat.ts); `url` is where it says it serves. */
  heartbeat: { intervalMs: number; ttlMs: number; url: string };
  /**
   * The admin listener (operator switches, bearer token). Off without a token: the
   * switches are then reachable nowhere, never on the public port. `token` is ADMIN_TOKEN;
   * `tokenFile` is ADMIN_TOKEN_FILE, read by main.ts (files are its side effect).
   */
  admin: { port: number; host: string; token: string | null; tokenFile: string | null };
  kafka: { brokers: string[]; clientId: string };
  gateway: { url: string; timeoutMs: number };
  holdTtlMs: number;
  lockTtlMs: number;
  sweepIntervalMs: number;
  retry: { baseDelayMs: number; maxDelayMs: number; emergency: boolean };
  breaker: { openDurationMs: number };
  /** A payment still PENDING this long after its request is failed and compensated. */
  paymentDeadlineMs: number;
  reconcile: { intervalMs: number };
  statusViewLookbackMs: number;
  consumersEnabled: boolean;
  /** `redis`: Redis lock, database lock only when Redis is unreachable; `database`: always SELECT ... FOR UPDATE (the benchmark's baseline). */
  seatLock: SeatLockSetting;
}

export const SEAT_LOCK_SETTINGS = ['redis', 'database'] as const;
export type SeatLockSetting = (typeof SEAT_LOCK_SETTINGS)[number];

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name}="${raw}" must be a whole number from ${min} to ${max}.`, `Unset ${name} to use ${fallback}, or pass a value in range.`);
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new UsageError(`${name}="${raw}" is not a boolean.`, `Use ${name}=true or ${name}=false.`);
}

function oneOf<T extends string>(env: Env, name: string, choices: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if ((choices as readonly string[]).includes(raw)) return raw as T;
  throw new UsageError(`${name}="${raw}" must be one of ${choices.join(', ')}.`, `Unset ${name} to use ${fallback}.`);
}

function adminSettings(env: Env, port: number): ServiceConfig['admin'] {
  const adminPort = int(env, 'ADMIN_PORT', Math.min(port + ADMIN_PORT_OFFSET, 65_535), 1, 65_535);
  if (adminPort === port) throw new UsageError(`ADMIN_PORT=${adminPort} is the public PORT: the admin API must listen apart.`, `Unset ADMIN_PORT to use PORT + ${ADMIN_PORT_OFFSET}.`);
  const token = env.ADMIN_TOKEN || null;
  const tokenFile = env.ADMIN_TOKEN_FILE || null;
  if (token && tokenFile) throw new UsageError('ADMIN_TOKEN and ADMIN_TOKEN_FILE are both set.', 'Keep one: ADMIN_TOKEN_FILE (a file readable only by the service) is the safer.');
  if (token !== null) assertAdminToken(token, 'ADMIN_TOKEN');
  return { port: adminPort, host: env.ADMIN_HOST ?? '127.0.0.1', token, tokenFile };
}

/** A token too short to resist guessing is refused at start-up, never silently accepted. */
export function assertAdminToken(token: string, from: string): void {
  if (token.length < 16 || /\s/.test(token))
    throw new UsageError(`The admin token from ${from} must be at least 16 characters, without spaces.`, 'Generate one, e.g. `openssl rand -base64 32`; `ticketctl stack up` makes one per stack.');
}

function heartbeatSettings(env: Env, port: number): ServiceConfig['heartbeat'] {
  const intervalMs = int(env, 'HEARTBEAT_INTERVAL_MS', HEARTBEAT_INTERVAL_MS, 100, 60_000);
  const ttlMs = int(env, 'HEARTBEAT_TTL_MS', HEARTBEAT_TTL_MS, 300, 600_000);
  if (ttlMs < 2 * intervalMs)
    throw new UsageError(
      `HEARTBEAT_TTL_MS=${ttlMs} must be at least twice HEARTBEAT_INTERVAL_MS=${intervalMs}, or one late beat declares a live instance gone.`,
      `Unset both to use ${HEARTBEAT_INTERVAL_MS} and ${HEARTBEAT_TTL_MS}.`,
    );
  return { intervalMs, ttlMs, url: env.ADVERTISED_URL ?? `http://${env.HOST ?? '127.0.0.1'}:${port}` };
}

export function readServiceConfig(env: Env): ServiceConfig {
  const t = createTopology({ portOffset: int(env, 'TICKETCTL_PORT_OFFSET', 0, 0, 10_000) });
  const port = int(env, 'PORT', 3001, 1, 65535);
  const brokers = (env.KAFKA_BROKERS ?? t.kafka.bootstrap.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (brokers.some((b) => !/^[^:\s]+:\d+$/.test(b)))
    throw new UsageError(`KAFKA_BROKERS="${env.KAFKA_BROKERS}" must be host:port,host:port.`, 'Point it at the Toxiproxy Kafka proxies, e.g. 127.0.0.1:19091,127.0.0.1:19092,127.0.0.1:19093.');
  const instanceId = env.INSTANCE_ID ?? `svc-${port}`;
  if (!/^[A-Za-z0-9_.-]{1,40}$/.test(instanceId)) throw new UsageError(`INSTANCE_ID="${instanceId}" may hold only letters, digits, . _ - (at most 40).`, 'Pick a short name such as svc-3001.');
  return {
    port,
    host: env.HOST ?? '127.0.0.1',
    instanceId,
    db: {
      host: env.DB_HOST ?? t.host,
      port: int(env, 'DB_PORT', t.mariadb.proxy, 1, 65535),
      user: env.DB_USER ?? DATABASES.service.user,
      password: env.DB_PASSWORD ?? DATABASES.service.password,
      database: env.DB_NAME ?? DATABASES.service.database,
      poolSize: int(env, 'DB_POOL_SIZE', 10, 1, 200),
      queueLimit: int(env, 'DB_QUEUE_LIMIT', 200, 0, 100_000),
      acquireTimeoutMs: int(env, 'DB_ACQUIRE_TIMEOUT_MS', 2000, 50, 60_000),
      statementTimeoutMs: int(env, 'DB_STATEMENT_TIMEOUT_MS', 5000, 100, 600_000),
      // The whole database part of payment intake and of a hold (connection + statements), else 503 (service/db/connection.ts).
      requestDeadlineMs: int(env, 'DB_REQUEST_DEADLINE_MS', 3000, 100, 600_000),
    },
    redis: { host: env.REDIS_HOST ?? t.host, port: int(env, 'REDIS_PORT', t.redis.masterProxy, 1, 65535) },
    heartbeat: heartbeatSettings(env, port),
    admin: adminSettings(env, port),
    kafka: { brokers, clientId: `ticketing-${instanceId}` },
    gateway: { url: env.GATEWAY_URL ?? `http://${t.host}:${t.gateway.proxy}`, timeoutMs: int(env, 'GATEWAY_TIMEOUT_MS', 3000, 50, 120_000) },
    holdTtlMs: int(env, 'HOLD_TTL_MS', 300_000, 1000, 86_400_000),
    lockTtlMs: int(env, 'LOCK_TTL_MS', 10_000, 300, 600_000),
    sweepIntervalMs: int(env, 'SWEEP_INTERVAL_MS', 1000, 50, 600_000),
    retry: { baseDelayMs: int(env, 'RETRY_BASE_DELAY_MS', 1000, 1, 600_000), maxDelayMs: int(env, 'RETRY_MAX_DELAY_MS', 30_000, 1, 3_600_000), emergency: bool(env, 'EMERGENCY_RETRY', false) },
    breaker: { openDurationMs: int(env, 'BREAKER_OPEN_MS', 30_000, 100, 3_600_000) },
    paymentDeadlineMs: int(env, 'PAYMENT_DEADLINE_MS', 180_000, 5000, 86_400_000),
    reconcile: { intervalMs: int(env, 'RECONCILE_INTERVAL_MS', 10_000, 100, 600_000) },
    // How far back in the event log the poll fallback's view reads on each start (service/status-view/tail.ts).
    statusViewLookbackMs: int(env, 'STATUS_VIEW_LOOKBACK_MS', 900_000, 1000, 7 * 86_400_000),
    consumersEnabled: bool(env, 'CONSUMERS_ENABLED', true),
    seatLock: oneOf(env, 'SEAT_LOCK', SEAT_LOCK_SETTINGS, 'redis'),
  };
}
