import { readFileSync } from 'node:fs';
import { findComponent, runningRecord, stackDown, stackUp, SERVICE_ENV_PREFIX } from '../../stack/index.ts';
import type { StackContext } from '../../stack/index.ts';
import { registerFault } from './registry.ts';
import { FaultNotInEffect } from './types.ts';

// One service instance restarted with other settings (service/config.ts variables, e.g. a
// 1.5 s HOLD_TTL_MS), for drills about behaviour the stack fixes per process at start, so
// no drill needs a stack of its own. Applied: the instance is stopped gracefully and
// started again with the settings (`stack up --only` passes TICKETING_<NAME> on as <NAME>,
// stack/components/service.ts); confirmed from the new process's environment
// (/proc/<pid>/environ). Reverted: restarted with the stack's own settings, only if the
// running process still has the drill's (idempotent; cleanup after a killed runner works).
// While it restarts (a few seconds) the instance answers nothing: route a drill's load to it
// with that in mind.

export type ServiceSettingsSpec = { type: 'service-settings'; process: string; settings: Record<string, string> };
type SettingsUndo = { type: 'service-settings'; process: string; settings: Record<string, string> };

declare module './types.ts' {
  interface FaultSpecs {
    'service-settings': ServiceSettingsSpec;
  }
}

/** The settings a drill may change: behaviour, never where the instance listens or what it is called. */
const SETTINGS = ['HOLD_TTL_MS', 'SWEEP_INTERVAL_MS', 'LOCK_TTL_MS', 'GATEWAY_TIMEOUT_MS', 'BREAKER_OPEN_MS', 'RETRY_BASE_DELAY_MS', 'RETRY_MAX_DELAY_MS', 'DB_REQUEST_DEADLINE_MS'];

/** The <NAME>=<value> pairs of a running process's environment; empty if it cannot be read. */
function environOf(pid: number): Map<string, string> {
  try {
    const pairs = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
    return new Map(pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
  } catch {
    return new Map();
  }
}

function hasSettings(stack: StackContext, name: string, settings: Record<string, string>): boolean {
  const rec = runningRecord(stack.paths, findComponent(stack.topology, name)!);
  if (!rec) return false;
  const env = environOf(rec.pid);
  return Object.entries(settings).every(([k, v]) => env.get(k) === v);
}

/** Restarts the instance; with settings, TICKETING_<NAME> is set in this process for the start only. */
async function restart(stack: StackContext, name: string, settings: Record<string, string>, signal?: AbortSignal): Promise<void> {
  await stackDown(stack, { only: [name] });
  const saved = Object.keys(settings).map((k) => [k, process.env[SERVICE_ENV_PREFIX + k]] as const);
  for (const [k, v] of Object.entries(settings)) process.env[SERVICE_ENV_PREFIX + k] = v;
  try {
    await stackUp(stack, { only: [name], ...(signal ? { signal } : {}) });
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[SERVICE_ENV_PREFIX + k];
      else process.env[SERVICE_ENV_PREFIX + k] = v;
    }
  }
}

export const serviceSettings = registerFault<ServiceSettingsSpec, SettingsUndo>({
  type: 'service-settings',
  keys: ['process', 'settings'],
  // A container's environment is fixed when compose creates it: only a local process can be restarted with other settings.
  platforms: ['local'],
  read(o, { v, at, targets }) {
    const process = v.oneOf(
      o.process,
      `${at}.process`,
      targets.processes.filter((p) => /^service-\d+$/.test(p)),
    );
    const raw = v.object(o.settings, `${at}.settings`, SETTINGS);
    if (Object.keys(raw).length === 0) v.fail(`${at}.settings`, `must set at least one of ${SETTINGS.join(', ')}`, raw);
    // Whole numbers, all of them (service/config.ts checks the ranges at start: a bad value fails apply, nothing half-done).
    const settings = Object.fromEntries(Object.entries(raw).map(([k, x]) => [k, String(v.integer(x, `${at}.settings.${k}`, 0, 86_400_000))]));
    return { type: 'service-settings', process, settings };
  },
  describe: (s) =>
    `${s.process} restarted with ${Object.entries(s.settings)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  blastRadius: (s) => ({ proxies: [], processes: [s.process], other: [`${s.process} settings: ${Object.keys(s.settings).join(', ')}`] }),
  async prepare(env, s) {
    if (!runningRecord(env.stack.paths, findComponent(env.stack.topology, s.process)!)) throw new FaultNotInEffect(`${s.process} is not running; start it with \`ticketctl stack up\``);
    return { type: 'service-settings', process: s.process, settings: s.settings };
  },
  async apply(env, s) {
    await restart(env.stack, s.process, s.settings);
  },
  async confirm(env, s) {
    if (!hasSettings(env.stack, s.process, s.settings)) throw new FaultNotInEffect(`${s.process} is not running with ${JSON.stringify(s.settings)}`);
    return `${s.process} runs with ${JSON.stringify(s.settings)} (/proc environ)`;
  },
  async revert(env, u, signal) {
    const rec = runningRecord(env.stack.paths, findComponent(env.stack.topology, u.process)!);
    if (rec && !hasSettings(env.stack, u.process, u.settings)) return `${u.process} already runs with the stack's settings`;
    await restart(env.stack, u.process, {}, signal);
    return `${u.process} restarted with the stack's settings`;
  },
});
