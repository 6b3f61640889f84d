import { redisOnce, sentinelMaster } from '../../../clients/index.ts';
import type { Context } from '../../../clients/index.ts';
import { down, runCheck, up, warn, type ComponentHealth, type Outcome } from './check.ts';

// Redis: ROLE on the master and replica endpoints (where the service connects), and each
// Sentinel's view of the master (get-master-addr-by-name, then ckquorum: can a failover
// still be authorised?).

type Role = [string, ...unknown[]];

function describeRole(role: Role): string {
  if (role[0] === 'master') return `master, ${(role[2] as unknown[]).length} replica(s) attached`;
  if (role[0] === 'slave') return `replica of ${String(role[1])}:${String(role[2])} (${String(role[3])})`;
  return String(role[0]);
}

export function redisChecks(c: Context): Array<() => Promise<ComponentHealth>> {
  const checks = [
    () =>
      runCheck({ component: 'redis-master', group: 'redis', endpoint: c.redis.master }, async (): Promise<Outcome> => {
        const role = (await redisOnce(c.redis.master, 'ROLE')) as Role;
        if (role[0] !== 'master') return down(`answers as ${describeRole(role)}: writes fail (READONLY); check Sentinel with \`ticketctl health\` rows sentinel-*`);
        return up(describeRole(role));
      }),
  ];
  if (c.redis.replica) {
    const replica = c.redis.replica;
    checks.push(() =>
      runCheck({ component: 'redis-replica', group: 'redis', endpoint: replica }, async () => {
        const role = (await redisOnce(replica, 'ROLE')) as Role;
        if (role[0] === 'slave') return role[3] === 'connected' ? up(describeRole(role)) : warn(`${describeRole(role)}: not in sync`);
        return warn(`answers as ${describeRole(role)} (promoted by a failover?)`);
      }),
    );
  }
  return checks;
}

export async function sentinelChecks(c: Context): Promise<ComponentHealth[]> {
  const masterSeen = new Map<string, string>(); // sentinel component -> master address it reports
  const rows = await Promise.all(
    c.redis.sentinels.map((address, i) => {
      const component = `sentinel-${i + 1}`;
      return runCheck({ component, group: 'sentinel', endpoint: address }, async () => {
        const at = await sentinelMaster(address, c.redis.masterName);
        if (!at) return down(`does not monitor master "${c.redis.masterName}"`);
        masterSeen.set(component, at);
        const master = `master "${c.redis.masterName}" at ${at}`;
        try {
          await redisOnce(address, 'SENTINEL', 'ckquorum', c.redis.masterName);
        } catch (err) {
          return warn(`${master}; quorum check: ${(err as Error).message}`);
        }
        return up(`${master}; failover quorum reachable`);
      });
    }),
  );
  // Sentinels that disagree about the master mean a failover is in flight, or a split.
  const majority = mostCommon([...masterSeen.values()]);
  return rows.map((r) => {
    const seen = masterSeen.get(r.component);
    return r.status === 'UP' && seen && majority && seen !== majority ? { ...r, status: 'WARN' as const, detail: `${r.detail}; the other Sentinels say ${majority}` } : r;
  });
}

function mostCommon(values: string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}
