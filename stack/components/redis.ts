import { mkdirSync } from 'node:fs';
import { probeWithin } from '../probes/result.ts';
import { redisCommand } from '../probes/redis.ts';
import type { Topology } from '../../contracts/index.ts';
import type { Component } from './types.ts';

// Redis master and replica, each from the command line (no config file, so nothing the
// distribution ships applies). AOF with fsync every second keeps seat locks and test data
// across a restart; RDB snapshots are off.

async function describeRole(port: number): Promise<string> {
  const role = (await redisCommand(port, 'ROLE')) as [string, ...unknown[]];
  if (role[0] === 'master') return `master, ${(role[2] as unknown[]).length} replica(s)`;
  if (role[0] === 'slave') return `replica of ${String(role[1])}:${String(role[2])} (${String(role[3])})`;
  return String(role[0]);
}

export function createRedisComponent(t: Topology, which: 'master' | 'replica'): Component {
  const port = which === 'master' ? t.redis.master : t.redis.replica;
  const proxyPort = which === 'master' ? t.redis.masterProxy : t.redis.replicaProxy;
  const name = `redis-${which}`;
  return {
    name,
    group: 'redis',
    endpoint: `${t.host}:${proxyPort}`,
    ports: [{ port, purpose: name }],
    async prepare(ctx) {
      mkdirSync(ctx.paths.dataDir(name), { recursive: true });
    },
    launch(ctx) {
      const args = [
        '--port',
        String(port),
        '--bind',
        t.host,
        '--dir',
        ctx.paths.dataDir(name),
        '--daemonize',
        'no',
        '--logfile',
        '',
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'everysec',
        '--protected-mode',
        'yes',
      ];
      if (which === 'replica') args.push('--replicaof', t.host, String(t.redis.master));
      return { file: ctx.tools.redisServer, args };
    },
    probe: () => probeWithin(3000, () => describeRole(port)),
    ready: () =>
      probeWithin(3000, async () => {
        const role = await describeRole(port);
        if (which === 'replica' && !role.endsWith('(connected)')) throw new Error(role);
        return role;
      }),
    probeProxy: () => probeWithin(3000, async () => `PING ${String(await redisCommand(proxyPort, 'PING'))}`),
    startTimeoutMs: 20_000,
    stopTimeoutMs: 15_000,
  };
}
