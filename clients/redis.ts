import { redisCommandAt } from '../stack/index.ts';
import { splitHostPort, type Context } from './context.ts';

/** One command to a Redis or Sentinel at "host:port", then close (fails fast, never retries). */
export function redisOnce(address: string, command: string, ...args: string[]): Promise<unknown> {
  const { host, port } = splitHostPort(address);
  return redisCommandAt(host, port, command, args, 1500);
}

/** The master a Sentinel at "host:port" reports for masterName, as "host:port"; null when it does not monitor it. */
export async function sentinelMaster(sentinel: string, masterName: string): Promise<string | null> {
  const addr = (await redisOnce(sentinel, 'SENTINEL', 'get-master-addr-by-name', masterName)) as [string, string] | null;
  return addr ? `${addr[0]}:${addr[1]}` : null;
}

/** Where the Redis master is now: the first Sentinel that answers, else the context's configured master. */
export async function currentRedisMaster(c: Pick<Context, 'redis'>): Promise<string> {
  for (const s of c.redis.sentinels) {
    try {
      const master = await sentinelMaster(s, c.redis.masterName);
      if (master) return master;
    } catch {
      // next sentinel
    }
  }
  return c.redis.master;
}
