import { waitFor } from '../../lib/index.ts';
import { findComponent, stackUp, runningRecord, isAlive, signalRecorded, isProcessStopped } from '../../stack/index.ts';
import type { PidRecord, StackContext } from '../../stack/index.ts';
import { registerFault } from './registry.ts';
import { FaultNotInEffect, type SpecContext } from './types.ts';

// Killed (SIGKILL) and paused (SIGSTOP) processes of the local stack: brokers, the Redis
// master, service instances, the gateway. Only the process the stack recorded (PID and
// start time, stack/supervisor) is ever signalled, never one found by name. A killed
// process is healed by `stack up --only <name>`, a paused one by SIGCONT. Two kinds in
// one file: they share the target's validation and the restart.

export type KillSpec = { type: 'kill'; process: string };
export type PauseSpec = { type: 'pause'; process: string };
type KillUndo = { type: 'kill'; process: string; record: PidRecord };
type PauseUndo = { type: 'pause'; process: string; record: PidRecord };

declare module './types.ts' {
  interface FaultSpecs {
    kill: KillSpec;
    pause: PauseSpec;
  }
}

/** The one key of both kinds: a process of the stack (Toxiproxy itself excluded, drills/format/files.ts). */
const readProcess = (o: Record<string, unknown>, { v, at, targets }: SpecContext) => v.oneOf(o.process, `${at}.process`, targets.processes);

function recordOf(stack: StackContext, name: string): PidRecord {
  const component = findComponent(stack.topology, name);
  const rec = component && runningRecord(stack.paths, component);
  if (!rec) throw new FaultNotInEffect(`${name} is not running, so it cannot be the drill's target; start it with \`ticketctl stack up\``);
  return rec;
}

/** Restarts a component of the stack that is not running; a no-op when it runs. */
async function ensureRunning(stack: StackContext, name: string, signal?: AbortSignal): Promise<string> {
  const component = findComponent(stack.topology, name)!;
  if (runningRecord(stack.paths, component)) return `${name} already running`;
  await stackUp(stack, { only: [name], ...(signal ? { signal } : {}) });
  return `restarted ${name} (stack up --only ${name})`;
}

export const kill = registerFault<KillSpec, KillUndo>({
  type: 'kill',
  keys: ['process'],
  read: (o, c) => ({ type: 'kill', process: readProcess(o, c) }),
  describe: (s) => `${s.process} killed (SIGKILL to its recorded PID)`,
  blastRadius: (s) => ({ proxies: [], processes: [s.process], other: [] }),
  prepare: async (env, s) => ({ type: 'kill', process: s.process, record: recordOf(env.stack, s.process) }),
  async apply(_env, _s, u) {
    signalRecorded(u.record, 'SIGKILL');
  },
  async confirm(_env, s, u) {
    await waitFor(() => !isAlive(u.record), { timeoutMs: 10_000, intervalMs: 100, what: `${s.process} (pid ${u.record.pid}) to die` }).catch(() => {
      throw new FaultNotInEffect(`${s.process} (pid ${u.record.pid}) is still alive after SIGKILL`);
    });
    return `${s.process} pid ${u.record.pid} gone`;
  },
  revert: (env, u, signal) => ensureRunning(env.stack, u.process, signal),
});

export const pause = registerFault<PauseSpec, PauseUndo>({
  type: 'pause',
  keys: ['process'],
  read: (o, c) => ({ type: 'pause', process: readProcess(o, c) }),
  describe: (s) => `${s.process} paused (SIGSTOP to its recorded PID; SIGCONT heals)`,
  blastRadius: (s) => ({ proxies: [], processes: [s.process], other: [] }),
  prepare: async (env, s) => ({ type: 'pause', process: s.process, record: recordOf(env.stack, s.process) }),
  async apply(_env, _s, u) {
    signalRecorded(u.record, 'SIGSTOP');
  },
  async confirm(_env, s, u) {
    await waitFor(() => isProcessStopped(u.record.pid), { timeoutMs: 5000, intervalMs: 50, what: `${s.process} to stop` }).catch(() => {
      throw new FaultNotInEffect(`${s.process} (pid ${u.record.pid}) is not stopped`);
    });
    return `${s.process} pid ${u.record.pid} in state T (stopped)`;
  },
  async revert(env, u, signal) {
    if (isAlive(u.record)) {
      signalRecorded(u.record, 'SIGCONT');
      return `resumed ${u.process} (SIGCONT to pid ${u.record.pid})`;
    }
    return ensureRunning(env.stack, u.process, signal);
  },
});
