import { OpsError } from '../../../lib/index.ts';
import { runMutation, type MutationFlags } from '../../shared/mutation.ts';
import { readLocks } from './read-locks.ts';
import { openLockRedis, type DeleteOutcome } from './redis.ts';
import { releasePlan } from './release-plan.ts';
import type { Globals } from '../../shared/globals.ts';

// Report 2.0.1 code fix 2 as a runbook step: force-release seat locks nobody will ever
// release (older than --older-than, default 10 s, with their owner gone; or of unknown
// owner and without a TTL). Owners are judged by their heartbeat in Redis (owners.ts). Each
// delete is a compare-and-delete of the exact value and PTTL the plan showed, so a lock
// taken again or renewed meanwhile survives.

export interface ReleaseFlags extends MutationFlags {
  olderThan: number;
  seat?: number[];
  forceOwnerAlive?: boolean;
}

export interface ReleaseOutcome {
  released: string[];
  /** Re-acquired, or renewed, since the plan was read: left alone. */
  changed: string[];
  /** Already gone (expired or released by its owner) when its turn came. */
  alreadyGone: string[];
}

export async function run(g: Globals, opts: ReleaseFlags): Promise<void> {
  const c = await g.context();
  const redis = await openLockRedis(c);
  try {
    if (redis.role !== 'master') {
      throw new OpsError(`Redis at ${redis.endpoint} answers as ${redis.role}, not master: locks cannot be deleted there. Nothing was changed.`, {
        code: 'REDIS_NOT_MASTER',
        hint: 'A failover may be in flight: check `ticketctl health` (redis and sentinel rows), then run `ticketctl locks release --dry-run` again.',
      });
    }
    const snap = await readLocks(c, redis, opts.seat ?? null);
    const selection = { olderThanMs: opts.olderThan, seats: opts.seat ?? null, forceOwnerAlive: opts.forceOwnerAlive ?? false };
    const plan = releasePlan(snap.locks, selection, redis.endpoint);
    await runMutation(
      g,
      c,
      opts,
      plan,
      async (): Promise<ReleaseOutcome> => {
        const out: ReleaseOutcome = { released: [], changed: [], alreadyGone: [] };
        const bucket: Record<DeleteOutcome, string[]> = { released: out.released, changed: out.changed, gone: out.alreadyGone };
        for (const l of plan.data.release) bucket[await redis.compareAndDelete(l.key, l.value, l.ttlMs ?? -1)].push(l.key);
        return out;
      },
      (r) => [
        `${r.released.length} lock(s) released${r.released.length ? `: ${r.released.join(', ')}` : ''}.`,
        ...(r.changed.length ? [`${r.changed.length} left alone, taken again or renewed since the plan was read: ${r.changed.join(', ')}.`] : []),
        ...(r.alreadyGone.length ? [`${r.alreadyGone.length} were already gone: ${r.alreadyGone.join(', ')}.`] : []),
        'Next: `ticketctl locks list` to see what is left.',
      ],
    );
  } finally {
    redis.close();
  }
}
