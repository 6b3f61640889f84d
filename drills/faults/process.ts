import { waitFor } from '../../lib/index.ts';
import { assertBrokerIdentity, unitLabel, type Platform, type UnitRef } from '../../stack/index.ts';
import { registerFault } from './registry.ts';
import { FaultNotInEffect, type SpecContext } from './types.ts';

// Killed (SIGKILL) and paused processes of the stack: brokers, the Redis master, service
// instances, the gateway, on the context's platform (stack/platforms): a local process by
// its recorded PID and start time, or a compose container by its id (`docker kill`, which
// the restart policy leaves down, and `docker pause`, the cgroup freezer). Only the unit
// found at prepare() is ever signalled, never one found again by name. A killed unit is
// healed by starting it again, a paused one by resuming it. Two kinds in one file: they
// share the target's validation and the restart.

export type KillSpec = { type: 'kill'; process: string };
export type PauseSpec = { type: 'pause'; process: string };
/** `record`: a local PID record, as fault logs written before the platform layer hold it. */
type Legacy = { record?: { name: string; pid: number; startTicks: number } };
type KillUndo = { type: 'kill'; process: string; ref?: UnitRef } & Legacy;
type PauseUndo = { type: 'pause'; process: string; ref?: UnitRef } & Legacy;

declare module './types.ts' {
  interface FaultSpecs {
    kill: KillSpec;
    pause: PauseSpec;
  }
}

/** The one key of both kinds: a process of the stack (Toxiproxy itself excluded, drills/format/files.ts). */
const readProcess = (o: Record<string, unknown>, { v, at, targets }: SpecContext) => v.oneOf(o.process, `${at}.process`, targets.processes);

async function targetOf(platform: Platform, name: string): Promise<UnitRef> {
  let ref: UnitRef;
  try {
    ref = await platform.target(name);
  } catch {
    throw new FaultNotInEffect(`${name} is not running (${platform.where}), so it cannot be the drill's target; start it with \`ticketctl stack up\``);
  }
  // A broker is killed or paused only if it is the one its name says (stack/platforms/identity.ts).
  await assertBrokerIdentity(platform, name, unitLabel(ref)).catch((err: Error) => {
    throw new FaultNotInEffect(err.message);
  });
  return ref;
}

const refOf = (u: KillUndo | PauseUndo): UnitRef => u.ref ?? { platform: 'local', name: u.record?.name ?? u.process, pid: u.record?.pid ?? -1, startTicks: u.record?.startTicks ?? -1 };

/** Starts a unit of the stack that is not running; a no-op when it runs. */
async function ensureRunning(platform: Platform, name: string, signal?: AbortSignal): Promise<string> {
  const [unit] = await platform.status([name]);
  if (unit?.state === 'running') return `${name} already running`;
  await platform.start([name], signal ? { signal } : {});
  return `restarted ${name} (${platform.kind === 'local' ? `stack up --only ${name}` : `compose up --wait ${name}`})`;
}

export const kill = registerFault<KillSpec, KillUndo>({
  type: 'kill',
  keys: ['process'],
  read: (o, c) => ({ type: 'kill', process: readProcess(o, c) }),
  describe: (s) => `${s.process} killed (SIGKILL to its recorded PID or container)`,
  blastRadius: (s) => ({ proxies: [], processes: [s.process], other: [] }),
  prepare: async (env, s) => ({ type: 'kill', process: s.process, ref: await targetOf(env.platform, s.process) }),
  async apply(env, _s, u) {
    await env.platform.kill(refOf(u), 'SIGKILL');
  },
  async confirm(env, s, u) {
    const ref = refOf(u);
    await waitFor(async () => !(await env.platform.isRunning(ref)), { timeoutMs: 10_000, intervalMs: 100, what: `${s.process} (${unitLabel(ref)}) to die` }).catch(() => {
      throw new FaultNotInEffect(`${s.process} (${unitLabel(ref)}) is still alive after SIGKILL`);
    });
    return `${s.process} ${unitLabel(ref)} gone`;
  },
  revert: (env, u, signal) => ensureRunning(env.platform, u.process, signal),
});

export const pause = registerFault<PauseSpec, PauseUndo>({
  type: 'pause',
  keys: ['process'],
  read: (o, c) => ({ type: 'pause', process: readProcess(o, c) }),
  describe: (s) => `${s.process} paused (SIGSTOP to its recorded PID, or docker pause; resuming heals)`,
  blastRadius: (s) => ({ proxies: [], processes: [s.process], other: [] }),
  prepare: async (env, s) => ({ type: 'pause', process: s.process, ref: await targetOf(env.platform, s.process) }),
  async apply(env, _s, u) {
    await env.platform.pause(refOf(u));
  },
  async confirm(env, s, u) {
    const ref = refOf(u);
    await waitFor(() => env.platform.isPaused(ref), { timeoutMs: 5000, intervalMs: 50, what: `${s.process} to stop` }).catch(() => {
      throw new FaultNotInEffect(`${s.process} (${unitLabel(ref)}) is not paused`);
    });
    return `${s.process} ${unitLabel(ref)} paused`;
  },
  async revert(env, u, signal) {
    const ref = refOf(u);
    if (await env.platform.isRunning(ref)) {
      await env.platform.resume(ref);
      return `resumed ${u.process} (${unitLabel(ref)})`;
    }
    return ensureRunning(env.platform, u.process, signal);
  },
});
