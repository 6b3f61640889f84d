import type { Admin } from 'kafkajs';
import type { Redis } from 'ioredis';
import type { Pool } from 'mysql2/promise';
import { errorMessage } from '../lib/index.ts';
import { withConnection, type Db } from './db/connection.ts';
import type { Metrics } from './metrics.ts';

// Dependency checks behind /health (report 2.0.2: the load balancer's probe) and
// /health/{kafka,redis,db} (report 5, short term). Each check makes one real request with
// a deadline, so a dead dependency answers DOWN fast instead of hanging the probe.

export type DependencyName = 'db' | 'redis' | 'kafka';

export interface CheckResult {
  status: 'UP' | 'DOWN';
  latencyMs: number;
  detail?: string;
  error?: string;
}

export interface Health {
  check(name: DependencyName): Promise<CheckResult>;
  checkAll(): Promise<{ status: 'UP' | 'DOWN'; checks: Record<DependencyName, CheckResult> }>;
}

export interface HealthDeps {
  db: Db;
  redis: Redis;
  kafkaAdmin: Admin;
  metrics?: Metrics;
  timeoutMs?: number;
  /** Fewest live brokers still able to take writes (min.insync.replicas). */
  minBrokers?: number;
}

export function createHealth({ db, redis, kafkaAdmin, metrics, timeoutMs = 1500, minBrokers = 2 }: HealthDeps): Health {
  const probes: Record<DependencyName, () => Promise<string | undefined>> = {
    db: async () => {
      await withConnection(db, (conn) => conn.query('SELECT 1'));
      return undefined;
    },
    redis: async () => {
      const t0 = performance.now();
      await redis.ping();
      metrics?.redisResponse.observe((performance.now() - t0) / 1000);
      return undefined;
    },
    kafka: async () => {
      const { brokers } = await kafkaAdmin.describeCluster();
      if (brokers.length < minBrokers) throw new Error(`only ${brokers.length} broker(s) live; writes need ${minBrokers}`);
      return `${brokers.length} brokers live`;
    },
  };

  async function check(name: DependencyName): Promise<CheckResult> {
    const t0 = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      const detail = await Promise.race([probes[name](), new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)))]);
      return { status: 'UP', latencyMs: Math.round(performance.now() - t0), ...(detail ? { detail } : {}) };
    } catch (err) {
      return { status: 'DOWN', latencyMs: Math.round(performance.now() - t0), error: errorMessage(err) };
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    check,
    async checkAll() {
      const [dbR, redisR, kafkaR] = await Promise.all([check('db'), check('redis'), check('kafka')]);
      const checks = { db: dbR, redis: redisR, kafka: kafkaR };
      return { status: Object.values(checks).every((c) => c.status === 'UP') ? 'UP' : 'DOWN', checks };
    },
  };
}

/** Share of a mysql2 pool's connections in use (0..1), read from its internals. */
export function poolUsage(pool: Pool, limit: number): number {
  const inner = (pool as unknown as { pool?: { _allConnections?: { length: number }; _freeConnections?: { length: number } } }).pool;
  const all = inner?._allConnections?.length ?? 0;
  const free = inner?._freeConnections?.length ?? 0;
  return limit > 0 ? Math.min(1, (all - free) / limit) : 0;
}
