import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { probeWithin } from '../probes/result.ts';
import { redisCommand } from '../probes/redis.ts';
import { REDIS_MASTER_NAME, type SentinelId, type Topology } from '../../contracts/index.ts';
import type { Component } from './types.ts';

// Three Sentinels, quorum 2 (report 2.0.2: a new master within 30 s). Sentinel rewrites
// its own config file as it learns the topology, so the file is written only when absent;
// `stack down` deletes it, so a cold start always begins from the stack's own layout.

export const SENTINEL_DOWN_AFTER_MS = 5000;
export const SENTINEL_FAILOVER_TIMEOUT_MS = 30_000;

export function sentinelConfFile(id: SentinelId): string {
  return `sentinel-${id}.conf`;
}

export function createSentinelComponent(t: Topology, id: SentinelId): Component {
  const port = t.redis.sentinels.find((s) => s.id === id)!.port;
  const name = `sentinel-${id}`;
  return {
    name,
    group: 'sentinel',
    endpoint: `${t.host}:${port}`,
    ports: [{ port, purpose: name }],
    async prepare(ctx) {
      const dir = ctx.paths.dataDir(name);
      mkdirSync(dir, { recursive: true });
      const file = ctx.paths.confFile(sentinelConfFile(id));
      if (existsSync(file)) return;
      mkdirSync(ctx.paths.conf, { recursive: true });
      writeFileSync(
        file,
        [
          `port ${port}`,
          `bind ${t.host}`,
          'daemonize no',
          'logfile ""',
          `dir ${dir}`,
          `sentinel announce-ip ${t.host}`,
          `sentinel monitor ${REDIS_MASTER_NAME} ${t.host} ${t.redis.master} 2`,
          `sentinel down-after-milliseconds ${REDIS_MASTER_NAME} ${SENTINEL_DOWN_AFTER_MS}`,
          `sentinel failover-timeout ${REDIS_MASTER_NAME} ${SENTINEL_FAILOVER_TIMEOUT_MS}`,
          `sentinel parallel-syncs ${REDIS_MASTER_NAME} 1`,
          '',
        ].join('\n'),
      );
    },
    launch(ctx) {
      return { file: ctx.tools.redisSentinel, args: [ctx.paths.confFile(sentinelConfFile(id))] };
    },
    probe: () =>
      probeWithin(3000, async () => {
        const addr = (await redisCommand(port, 'SENTINEL', 'get-master-addr-by-name', REDIS_MASTER_NAME)) as [string, string] | null;
        if (!addr) throw new Error(`does not know master "${REDIS_MASTER_NAME}"`);
        return `master at ${addr[0]}:${addr[1]}`;
      }),
    startTimeoutMs: 20_000,
    stopTimeoutMs: 10_000,
  };
}
