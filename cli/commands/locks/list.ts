import { ExitError } from '../../shared/exit-code.ts';
import { resolveOutput, type Ui } from '../../shared/ui.ts';
import { formatDuration } from './duration.ts';
import { olderThan, type LiveInstance, type LockView } from './lock-view.ts';
import { readLocks } from './read-locks.ts';
import { skipReason } from './release-plan.ts';
import { openLockRedis } from './redis.ts';
import type { Globals } from '../../shared/globals.ts';

// Report 2.0.1: every seat lock with its owner, real age, time left and whether its owner
// still runs. A lock without expiry, or whose owner is gone, is a finding: `locks release`
// deletes those (dry run first). Like `payments duplicates` and `consumers lag`, a finding
// is exit 1, so a runbook's verify step and a script can tell "stuck locks remain" apart.

const RELEASE_DEFAULT_MS = 10_000;

export interface ListFlags {
  olderThan?: number;
  seat?: number[];
  output?: string;
}

export interface LockListReport {
  context: string;
  redis: string;
  redisRole: string;
  checkedAt: string;
  filter: { olderThanMs: number | null; seats: number[] | null };
  instances: LiveInstance[];
  summary: { locks: number; ownerAlive: number; ownerGone: number; ownerUnknown: number; neverExpire: number };
  locks: LockView[];
  dbError: string | null;
}

export async function run(g: Globals, opts: ListFlags): Promise<void> {
  const c = await g.context();
  const redis = await openLockRedis(c);
  let snap;
  try {
    snap = await readLocks(c, redis, opts.seat ?? null);
  } finally {
    redis.close();
  }
  const locks = opts.olderThan === undefined ? snap.locks : snap.locks.filter((l) => olderThan(l, opts.olderThan!));
  const count = (f: (l: LockView) => boolean) => locks.filter(f).length;
  const report: LockListReport = {
    context: c.name,
    redis: redis.endpoint,
    redisRole: redis.role,
    checkedAt: new Date(snap.readAt).toISOString(),
    filter: { olderThanMs: opts.olderThan ?? null, seats: opts.seat ?? null },
    instances: snap.instances,
    summary: {
      locks: locks.length,
      ownerAlive: count((l) => l.ownerState === 'alive'),
      ownerGone: count((l) => l.ownerState === 'gone'),
      ownerUnknown: count((l) => l.ownerState === 'unknown'),
      neverExpire: count((l) => l.neverExpires),
    },
    locks,
    dbError: snap.dbError,
  };
  if (resolveOutput(opts.output, g.ui.isTty) === 'json') g.ui.json(report);
  else printTable(g.ui, report);
  if (hints(g.ui, report) > 0) throw new ExitError(1);
}

function printTable(ui: Ui, r: LockListReport): void {
  const c = ui.color;
  const owner = (l: LockView) => (l.ownerState === 'alive' ? `${l.owner} ${c.green('(alive)')}` : l.ownerState === 'gone' ? `${l.owner} ${c.red('(gone)')}` : c.yellow('unknown'));
  const hold = (l: LockView) => (l.hold ? `${l.hold.status} ${l.hold.holdId.slice(0, 8)} (${l.hold.userId})` : r.dbError ? '?' : '-');
  ui.table(
    ['SEAT', 'OWNER', 'AGE', 'TTL', 'LIVE HOLD'],
    r.locks.map((l) => [
      l.seatId === null ? l.key : String(l.seatId),
      owner(l),
      l.ageMs === null ? '?' : formatDuration(l.ageMs),
      l.neverExpires ? c.red('none (never expires)') : formatDuration(l.ttlMs ?? 0),
      hold(l),
    ]),
  );
  const s = r.summary;
  const alive = r.instances.map((i) => `${i.instanceId}${i.healthy ? '' : ` (beat late: ${formatDuration(i.lastBeatMs)} ago)`}`).join(', ') || 'none';
  ui.out(`Context ${r.context}: ${s.locks} seat lock(s) on ${r.redis}; owner gone ${s.ownerGone}, unknown ${s.ownerUnknown}, never expire ${s.neverExpire}. Instances with a fresh heartbeat: ${alive}.`);
}

/** Prints warnings and the next step; returns how many stuck locks `locks release` would take. */
function hints(ui: Ui, r: LockListReport): number {
  if (r.redisRole !== 'master') ui.err(ui.color.yellow(`warning: ${r.redis} answers as ${r.redisRole}, not master: the service cannot write locks there. Check \`ticketctl health\` (sentinel rows).`));
  if (r.dbError) ui.err(ui.color.yellow(`warning: live holds not shown: the database did not answer (${r.dbError}).`));
  // What `locks release` would take with its defaults: say so, with the command.
  const stuck = r.locks.filter((l) => skipReason(l, { olderThanMs: RELEASE_DEFAULT_MS, seats: null, forceOwnerAlive: false }) === undefined).length;
  if (stuck) ui.err(`${stuck} stuck lock(s): owner gone for over ${RELEASE_DEFAULT_MS / 1000} s, or unknown owner without expiry. Next: \`ticketctl locks release --dry-run\`.`);
  return stuck;
}
