import type { Platform } from '../../stack/index.ts';
import { registerFault } from './registry.ts';
import { FaultNotInEffect } from './types.ts';

// One service instance restarted with other settings (service/config.ts variables, e.g. a
// 1.5 s HOLD_TTL_MS), for drills about behaviour the stack fixes per process at start, so
// no drill needs a stack of its own. Applied through the platform (restartWithSettings): a
// local instance is stopped gracefully and started again with the settings (`stack up
// --only` passes TICKETING_<NAME> on as <NAME>, stack/components/service.ts); a compose
// service is recreated from the compose file plus an override setting them. Confirmed from
// the running instance's environment (/proc/<pid>/environ, or the container's). Reverted:
// restarted with the stack's own settings, only if the running instance still has the
// drill's (idempotent; cleanup after a killed runner works).
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

/** Whether the running instance has these settings (its process's or container's environment). */
async function hasSettings(platform: Platform, name: string, settings: Record<string, string>): Promise<boolean> {
  const now = await platform.settingsOf(name, Object.keys(settings));
  return now !== null && Object.entries(settings).every(([k, v]) => now[k] === v);
}

export const serviceSettings = registerFault<ServiceSettingsSpec, SettingsUndo>({
  type: 'service-settings',
  keys: ['process', 'settings'],
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
    if ((await env.platform.settingsOf(s.process, [])) === null) throw new FaultNotInEffect(`${s.process} is not running; start it with \`ticketctl stack up\``);
    return { type: 'service-settings', process: s.process, settings: s.settings };
  },
  async apply(env, s) {
    await env.platform.restartWithSettings(s.process, s.settings);
  },
  async confirm(env, s) {
    if (!(await hasSettings(env.platform, s.process, s.settings))) throw new FaultNotInEffect(`${s.process} is not running with ${JSON.stringify(s.settings)}`);
    return `${s.process} runs with ${JSON.stringify(s.settings)} (${env.platform.kind === 'local' ? '/proc environ' : 'container environment'})`;
  },
  async revert(env, u, signal) {
    const running = (await env.platform.settingsOf(u.process, [])) !== null;
    if (running && !(await hasSettings(env.platform, u.process, u.settings))) return `${u.process} already runs with the stack's settings`;
    await env.platform.restartWithSettings(u.process, {}, signal ? { signal } : {});
    return `${u.process} restarted with the stack's settings`;
  },
});
