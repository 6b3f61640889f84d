import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { heartbeatKey, type Heartbeat } from '../contracts/index.ts';

// The instance's heartbeat (contracts/heartbeat.ts): SET PX every interval, so its key
// lives while the process runs and reaches Redis; deleted on a clean stop (only if it is
// still this run's beat), so a stopped instance's locks are judged orphaned at once.
// A failed beat is reported and retried at the next tick: Redis being away must never
// stop the instance, and its locks are then in the same Redis that is away.

export interface HeartbeatOptions {
  redis: Redis;
  instanceId: string;
  url: string;
  intervalMs: number;
  ttlMs: number;
  onError?: (err: Error) => void;
}

const DELETE_IF_MINE = `
local v = redis.call('GET', KEYS[1])
if v and string.find(v, ARGV[1], 1, true) then return redis.call('DEL', KEYS[1]) end
return 0`;

export function createHeartbeat(o: HeartbeatOptions) {
  const session = randomUUID();
  const startedAt = Date.now();
  const key = heartbeatKey(o.instanceId);
  let timer: NodeJS.Timeout | undefined;
  const beat = (): void => {
    if (o.redis.status !== 'ready') return; // no offline queue: the next tick tries again
    const value: Heartbeat = { instanceId: o.instanceId, url: o.url, session, startedAt, at: Date.now() };
    o.redis.set(key, JSON.stringify(value), 'PX', o.ttlMs).catch((err: Error) => o.onError?.(err));
  };
  return {
    start() {
      beat();
      timer = setInterval(beat, o.intervalMs);
      timer.unref();
      // Beat as soon as Redis is back, not up to an interval later.
      o.redis.on('ready', beat);
    },
    async stop() {
      clearInterval(timer);
      o.redis.off('ready', beat);
      if (o.redis.status === 'ready') await o.redis.eval(DELETE_IF_MINE, 1, key, `"session":"${session}"`).catch(() => {});
    },
  };
}
