import { redisCommandAt } from '../../stack/index.ts';
import { splitHostPort } from '../../clients/index.ts';
import { waitFor } from '../../lib/index.ts';
import { fail, pass, type Invariant } from './types.ts';
import { parseLockValue, seatLockKey } from '../../contracts/index.ts';

// Report 2.0.1 scenario A: no seat lock outlives its owner. Once the load has ended no
// request holds a lock, so within one lock TTL (plus a little) every lock key of the run's
// seats must be gone from Redis (the master Sentinel names now). Whatever is left is
// listed with its owner and real age (the lock value records `since`).

export const noOrphanLocks: Invariant = {
  name: 'no-orphan-locks',
  phase: 'after-recovery',
  promise: "no seat lock outlives its owner: every lock of the run's seats expires within one lock TTL (Redis)",
  async check({ redisMaster, signal }, { seatIds, drill }) {
    const keys = seatIds.map(seatLockKey);
    const read = async () => {
      const { host, port } = splitHostPort(await redisMaster());
      return (await redisCommandAt(host, port, 'MGET', keys, 1500)) as Array<string | null>;
    };
    const graceMs = drill.recovery.lockTtlMs + 3000;
    let left: Array<string | null> = [];
    try {
      await waitFor(async () => (left = await read()).every((v) => v === null), { timeoutMs: graceMs, intervalMs: 500, what: "the run's seat locks to expire", ...(signal ? { signal } : {}) });
      return pass(`no lock left on ${seatIds.length} seats within ${graceMs} ms of the load's end`);
    } catch (err) {
      if (left.length === 0) throw err; // Redis never answered: the runner reports "unknown"
      const now = Date.now();
      const rows = left.flatMap((v, i) => (v === null ? [] : [{ key: keys[i], owner: parseLockValue(v)?.owner ?? '(unknown)', ageMs: parseLockValue(v) ? now - parseLockValue(v)!.since : null, value: v }]));
      return fail(`${rows.length} lock(s) still held ${graceMs} ms after the load ended`, rows);
    }
  },
};
