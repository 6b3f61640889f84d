import { HEARTBEAT_INTERVAL_MS, parseHeartbeat } from '../../../contracts/index.ts';
import type { LiveInstance } from './lock-view.ts';
import type { LockRedis } from './redis.ts';

// Which service instances run now: a lock's owner is an instance id (INSTANCE_ID, e.g.
// service-2), and it is alive while its heartbeat key in Redis exists (each instance
// refreshes `instance-heartbeat:<id>` every 2 s with a 10 s expiry; contracts/heartbeat.ts).
// Read from the very Redis that holds the locks, so it works wherever ticketctl reaches
// that Redis: behind a load balancer no /health answer says which instance answered.

/** The instances whose heartbeat is fresh; `healthy`: the last beat is on time (within two intervals). */
export function liveInstancesFrom(raw: Array<{ value: string; pttlMs: number }>, now: number): LiveInstance[] {
  const out: LiveInstance[] = [];
  for (const r of raw) {
    const hb = parseHeartbeat(r.value);
    if (!hb) continue; // not the service's JSON: says nothing about an owner
    const lastBeatMs = Math.max(0, now - hb.at);
    out.push({ instanceId: hb.instanceId, url: hb.url, healthy: lastBeatMs <= 2 * HEARTBEAT_INTERVAL_MS, lastBeatMs, expiresInMs: r.pttlMs >= 0 ? r.pttlMs : null });
  }
  return out.sort((a, b) => a.instanceId.localeCompare(b.instanceId, undefined, { numeric: true }));
}

export async function findLiveInstances(redis: LockRedis): Promise<LiveInstance[]> {
  return liveInstancesFrom(await redis.scanHeartbeats(), Date.now());
}
