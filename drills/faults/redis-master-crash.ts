import { waitFor } from '../../lib/index.ts';
import { redisCommand, unitLabel } from '../../stack/index.ts';
import type { Platform, StackContext, UnitRef } from '../../stack/index.ts';
import { REDIS_MASTER_NAME, type Topology } from '../../contracts/index.ts';
import { registerFault } from './registry.ts';
import { FaultNotInEffect } from './types.ts';

// The Redis master crashes (SIGKILL to the recorded PID of `redis-master`, or to its
// container; stack/platforms), optionally
// kept down until the Sentinels have promoted the replica (report 2.0.2 #4).
//
// A plain `kill` fault is not enough here: its revert starts the process again from the
// command line, as a master. If the Sentinels failed over meanwhile (5 s down-after), the
// stack then has two masters until Sentinel demotes the restarted one, and the stack is
// left inverted: the process behind the `redis-master` endpoint is a replica, which
// `ticketctl health` reports DOWN and which the service (pinned to that endpoint) can no
// longer write its seat locks to. So this revert puts the topology back:
//   1. restart `redis-master` if it is not running;
//   2. if a Sentinel names another master: make the restarted process a replica of it
//      (what Sentinel would do on its own, only sooner) and wait until it is in sync;
//   3. SENTINEL FAILOVER back, and wait until the `redis-master` process is master with the
//      replica attached and in sync, and every Sentinel names it.
// Each step looks at the current state first, so revert is idempotent and also heals a
// failover that happened without this fault (drill cleanup after a killed runner).

export type RedisMasterCrashSpec = { type: 'redis-master-crash'; awaitPromotion: boolean };
/** `record`: a local PID record, as fault logs written before the platform layer hold it. */
type CrashUndo = { type: 'redis-master-crash'; ref?: UnitRef; record?: { name: string; pid: number; startTicks: number } };
const refOf = (u: CrashUndo): UnitRef => u.ref ?? { platform: 'local', name: PROCESS, pid: u.record?.pid ?? -1, startTicks: u.record?.startTicks ?? -1 };

declare module './types.ts' {
  interface FaultSpecs {
    'redis-master-crash': RedisMasterCrashSpec;
  }
}

const PROCESS = 'redis-master';
/** Report 2.0.2: "quorum 2 of 3 elects a new master within 30 s" (here: 5 s down-after + election, about 6 s). */
const PROMOTION_WITHIN_MS = 30_000;
const SETTLE_WITHIN_MS = 90_000;

type Role = [string, ...unknown[]];

async function sentinelMasterPorts(t: Topology): Promise<number[]> {
  const ports: number[] = [];
  for (const s of t.redis.sentinels) {
    try {
      const addr = (await redisCommand(s.port, 'SENTINEL', 'get-master-addr-by-name', REDIS_MASTER_NAME)) as [string, string] | null;
      if (addr) ports.push(Number(addr[1]));
    } catch {
      // a Sentinel that does not answer has no say
    }
  }
  return ports;
}

async function role(port: number): Promise<Role> {
  return (await redisCommand(port, 'ROLE')) as Role;
}

/** Put back: redis-master is master, the replica is attached and in sync, every Sentinel agrees. */
async function topologyRestored(t: Topology): Promise<string | false> {
  const [m, r, seen] = await Promise.all([role(t.redis.master), role(t.redis.replica), sentinelMasterPorts(t)]);
  if (m[0] !== 'master') return false;
  if (r[0] !== 'slave' || Number(r[2]) !== t.redis.master || r[3] !== 'connected') return false;
  if (seen.length !== t.redis.sentinels.length || seen.some((p) => p !== t.redis.master)) return false;
  return `redis-master is master again, redis-replica in sync, ${seen.length} Sentinels agree`;
}

async function restore(stack: StackContext, platform: Platform, signal?: AbortSignal): Promise<string> {
  const t = stack.topology;
  const done: string[] = [];
  const [unit] = await platform.status([PROCESS]);
  if (unit?.state !== 'running') {
    await platform.start([PROCESS], signal ? { signal } : {});
    done.push(`restarted ${PROCESS} (${platform.kind === 'local' ? `stack up --only ${PROCESS}` : `compose up --wait ${PROCESS}`})`);
  }
  const already = await topologyRestored(t).catch(() => false);
  if (already) return [...done, already].join('; ');

  const seen = await sentinelMasterPorts(t);
  if (seen.some((p) => p !== t.redis.master)) {
    // The replica was promoted. The restarted process must follow it before it can be
    // promoted back; it holds stale data (its own AOF) that the full sync replaces.
    const m = await role(t.redis.master);
    if (m[0] === 'master') {
      await redisCommand(t.redis.master, 'REPLICAOF', t.host, String(t.redis.replica));
      done.push(`${PROCESS} made a replica of the promoted ${t.host}:${t.redis.replica}`);
    }
    await waitFor(
      async () => {
        const r = await role(t.redis.master);
        return r[0] === 'slave' && r[3] === 'connected';
      },
      { timeoutMs: SETTLE_WITHIN_MS, intervalMs: 500, what: `${PROCESS} to be in sync with the promoted replica`, ...(signal ? { signal } : {}) },
    );
    // Sentinel answers NOGOODSLAVE until it has seen the process as a healthy replica:
    // ask again until one Sentinel starts the failover (or it already happened).
    await waitFor(
      async () => {
        if ((await sentinelMasterPorts(t)).every((p) => p === t.redis.master)) return true;
        for (const s of t.redis.sentinels) {
          try {
            await redisCommand(s.port, 'SENTINEL', 'FAILOVER', REDIS_MASTER_NAME);
            return true;
          } catch (err) {
            if (/INPROG/.test((err as Error).message)) return true;
          }
        }
        return false;
      },
      { timeoutMs: SETTLE_WITHIN_MS, intervalMs: 1000, what: `a Sentinel to accept SENTINEL FAILOVER ${REDIS_MASTER_NAME}`, ...(signal ? { signal } : {}) },
    );
    done.push(`SENTINEL FAILOVER ${REDIS_MASTER_NAME} (back to ${PROCESS})`);
  }
  const settled = await waitFor(() => topologyRestored(t), {
    timeoutMs: SETTLE_WITHIN_MS,
    intervalMs: 500,
    what: 'redis-master to be master with redis-replica in sync and every Sentinel agreeing',
    ...(signal ? { signal } : {}),
  });
  return [...done, settled].join('; ');
}

export const redisMasterCrash = registerFault<RedisMasterCrashSpec, CrashUndo>({
  type: 'redis-master-crash',
  keys: ['awaitPromotion'],
  read: (o, { v, at }) => ({ type: 'redis-master-crash', awaitPromotion: v.boolean(o.awaitPromotion ?? false, `${at}.awaitPromotion`) }),
  describe: (s) => `${PROCESS} killed (SIGKILL to its recorded PID or container)${s.awaitPromotion ? ' and kept down until the Sentinels promote the replica' : ''}; rollback restarts it and fails back to it`,
  blastRadius: () => ({ proxies: [], processes: [PROCESS], other: ['Sentinel failover and fail-back (master role moves to redis-replica and back)'] }),
  async prepare(env) {
    const ref = await env.platform.target(PROCESS).catch(() => {
      throw new FaultNotInEffect(`${PROCESS} is not running (${env.platform.where}), so it cannot be the drill's target; start it with \`ticketctl stack up\``);
    });
    const restored = await topologyRestored(env.stack.topology).catch(() => false);
    if (!restored)
      throw new FaultNotInEffect(
        `the Redis topology is not as the stack lays it out (redis-master master, redis-replica in sync, Sentinels agreeing); run \`ticketctl drill cleanup\` or check \`ticketctl health\``,
      );
    return { type: 'redis-master-crash', ref };
  },
  async apply(env, _s, u) {
    await env.platform.kill(refOf(u), 'SIGKILL');
  },
  async confirm(env, s, u) {
    const ref = refOf(u);
    await waitFor(async () => !(await env.platform.isRunning(ref)), { timeoutMs: 10_000, intervalMs: 100, what: `${PROCESS} (${unitLabel(ref)}) to die` }).catch(() => {
      throw new FaultNotInEffect(`${PROCESS} (${unitLabel(ref)}) is still alive after SIGKILL`);
    });
    if (!s.awaitPromotion) return `${PROCESS} ${unitLabel(ref)} gone`;
    const t = env.stack.topology;
    const promotedAfter = Date.now();
    await waitFor(async () => (await sentinelMasterPorts(t)).filter((p) => p === t.redis.replica).length >= 2 && (await role(t.redis.replica))[0] === 'master', {
      timeoutMs: PROMOTION_WITHIN_MS,
      intervalMs: 250,
      what: 'the Sentinels to promote redis-replica',
    }).catch(() => {
      throw new FaultNotInEffect(`${PROCESS} is down but the Sentinels did not promote redis-replica within ${PROMOTION_WITHIN_MS / 1000} s`);
    });
    return `${PROCESS} ${unitLabel(ref)} gone; Sentinels promoted redis-replica (${t.host}:${t.redis.replica}) ${((Date.now() - promotedAfter) / 1000).toFixed(1)} s after the process was gone`;
  },
  revert: (env, _u, signal) => restore(env.stack, env.platform, signal),
});
