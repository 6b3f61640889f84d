import { Redis } from 'ioredis';
import { OpsError, errorMessage } from '../../../lib/index.ts';
import { splitHostPort, type Context } from '../../../clients/index.ts';
import type { RawLock } from './lock-view.ts';
import { HEARTBEAT_PREFIX, SEAT_LOCK_PREFIX } from '../../../contracts/index.ts';

// The seat locks where the service keeps them: the context's Redis master endpoint (for
// the local stack, its Toxiproxy proxy, the very address the service instances use). One
// connection per command, failing fast: an operator must hear "unreachable", not wait.

// Delete only if the key still holds the value the plan was built from and has not been
// renewed since: a lock that was re-acquired (a new value) or extended (the same value,
// its PTTL pushed up past what the plan read, ARGV[2]; -1 = no expiry then and now)
// meanwhile is never deleted. PTTL only falls while nobody touches the key.
// Returns 1 deleted, 0 changed or renewed, -1 the key was already gone.
const COMPARE_AND_DELETE = `
local v = redis.call('GET', KEYS[1])
if v == false then return -1 end
if v ~= ARGV[1] then return 0 end
local planned = tonumber(ARGV[2])
local left = redis.call('PTTL', KEYS[1])
if planned == -1 then
  if left ~= -1 then return 0 end
elseif left == -1 or left > planned then
  return 0
end
return redis.call('DEL', KEYS[1])`;

export type DeleteOutcome = 'released' | 'changed' | 'gone';

export interface LockRedis {
  endpoint: string;
  /** ROLE's first word: `master`, or `slave` when a failover moved the master elsewhere. */
  role: string;
  scanLocks(seats: number[] | null): Promise<RawLock[]>;
  /** The service instances' heartbeat keys (contracts/heartbeat.ts), value and time left. */
  scanHeartbeats(): Promise<Array<{ value: string; pttlMs: number }>>;
  compareAndDelete(key: string, value: string, pttlMs: number): Promise<DeleteOutcome>;
  close(): void;
}

export async function openLockRedis(c: Context): Promise<LockRedis> {
  const endpoint = c.redis.master;
  const { host, port } = splitHostPort(endpoint);
  const client = new Redis({ host, port, lazyConnect: true, connectTimeout: 2000, commandTimeout: 5000, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  client.on('error', () => {}); // surfaced through the rejected command instead
  let role: string;
  try {
    await client.connect();
    role = String(((await client.call('ROLE')) as unknown[])[0]);
  } catch (err) {
    client.disconnect();
    throw new OpsError(`Redis at ${endpoint} (context ${c.name}) did not answer: ${errorMessage(err)}.`, {
      code: 'REDIS_UNREACHABLE',
      retriable: true,
      hint: `Check Redis and Sentinel with \`ticketctl health\`${c.stack ? '; start what is down with `ticketctl stack up`' : ''}. While Redis is down the service locks seats in the database instead.`,
      cause: err,
    });
  }
  return {
    endpoint,
    role,
    async scanLocks(seats) {
      return readKeys(client, seats ? seats.map((id) => `${SEAT_LOCK_PREFIX}${id}`) : await scanAll(client, `${SEAT_LOCK_PREFIX}*`));
    },
    async scanHeartbeats() {
      return readKeys(client, await scanAll(client, `${HEARTBEAT_PREFIX}*`));
    },
    async compareAndDelete(key, value, pttlMs) {
      const r = Number(await client.eval(COMPARE_AND_DELETE, 1, key, value, String(pttlMs)));
      return r === 1 ? 'released' : r === -1 ? 'gone' : 'changed';
    },
    close: () => client.disconnect(),
  };
}

/** GET and PTTL of each key in one round trip; keys gone between SCAN and GET are left out. */
async function readKeys(client: Redis, keys: string[]): Promise<RawLock[]> {
  if (!keys.length) return [];
  const pipe = client.pipeline();
  for (const k of keys) pipe.get(k).pttl(k);
  const replies = (await pipe.exec()) ?? [];
  const out: RawLock[] = [];
  keys.forEach((key, i) => {
    const [getErr, value] = replies[2 * i] ?? [];
    const [, pttl] = replies[2 * i + 1] ?? [];
    if (getErr || typeof value !== 'string') return; // null: expired between SCAN and GET (GET answers a string or null)
    out.push({ key, value, pttlMs: Number(pttl) });
  });
  return out;
}

async function scanAll(client: Redis, match: string): Promise<string[]> {
  const keys = new Set<string>();
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', match, 'COUNT', 1000);
    for (const k of batch) keys.add(k); // SCAN may return a key twice
    cursor = next;
  } while (cursor !== '0');
  return [...keys];
}
