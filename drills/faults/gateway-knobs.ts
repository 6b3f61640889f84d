import { gatewayAt } from '../../clients/index.ts';
import { DEFAULT_KNOBS, REFUND_POLICIES } from '../../service/index.ts';
import { waitFor } from '../../lib/index.ts';
import { registerFault } from './registry.ts';
import { FaultNotInEffect } from './types.ts';

// The payment gateway stand-in's fault knobs (service/gateway/knobs.ts): error rate,
// latency, declines, late answers, and the refund policy ('unchecked': a processor that
// refunds again under every new key, to prove the service never does). The knobs in force before the drill are recorded in the
// fault log first, and put back on revert. Talks to the gateway's own port, not its proxy.

const GATEWAY_KNOBS = ['latencyMs', 'errorRate', 'declineRate', 'timeoutAfterChargeRate', 'timeoutAfterChargeMs', 'refundPolicy'];

type KnobValues = Record<string, number | string>;
export type GatewayKnobsSpec = { type: 'gateway-knobs'; knobs: KnobValues };
/** `holdsMs`: the longest the faulted knobs can hold one operation back (latency plus a late answer). */
type KnobsUndo = { type: 'gateway-knobs'; previous: KnobValues; holdsMs?: number };

/** Beyond the knobs' own hold: the time a held-back operation needs to reach the ledger on a busy machine. */
const LANDING_SLACK_MS = 15_000;

const holdsMs = (k: KnobValues): number => Number(k.latencyMs ?? 0) + (Number(k.timeoutAfterChargeRate ?? 0) > 0 ? Number(k.timeoutAfterChargeMs ?? DEFAULT_KNOBS.timeoutAfterChargeMs) : 0);

/**
 * Once the knobs are back, the operations they held back are still on their way (a charge
 * delayed by latencyMs is recorded when the delay ends, whoever still waits for it): the
 * revert waits until the gateway has none in flight, so the drill judges a ledger in which
 * every late charge has landed. Returns how long that took; undefined if the gateway does
 * not report it.
 */
async function waitForLanding(url: string, boundMs: number): Promise<number | undefined> {
  const gateway = gatewayAt(url);
  const t0 = Date.now();
  if ((await gateway.health()).inFlight === undefined) return undefined;
  await waitFor(async () => (await gateway.health()).inFlight === 0, { timeoutMs: boundMs, intervalMs: 200, what: 'the charges and refunds held back by the gateway knobs to land' });
  return Date.now() - t0;
}

declare module './types.ts' {
  interface FaultSpecs {
    'gateway-knobs': GatewayKnobsSpec;
  }
}

/** GET or PUT the knobs through the gateway client (5 s deadline); the knobs in force afterwards. */
async function knobs(url: string, method: 'GET' | 'PUT', body?: KnobValues): Promise<KnobValues> {
  const gateway = gatewayAt(url);
  return { ...(method === 'GET' ? await gateway.getKnobs() : await gateway.setKnobs(body ?? {})) };
}

export const gatewayKnobs = registerFault<GatewayKnobsSpec, KnobsUndo>({
  type: 'gateway-knobs',
  keys: ['knobs'],
  read(o, { v, at }) {
    const k = v.object(o.knobs, `${at}.knobs`, GATEWAY_KNOBS);
    if (Object.keys(k).length === 0) v.fail(`${at}.knobs`, `must set at least one of ${GATEWAY_KNOBS.join(', ')}`, k);
    // *Ms knobs are durations, refundPolicy a name, the others rates (service/gateway/knobs.ts).
    const value = (name: string, x: unknown, where: string) => (name === 'refundPolicy' ? v.oneOf(x, where, REFUND_POLICIES) : name.endsWith('Ms') ? v.integer(x, where, 0, 120_000) : v.rate(x, where));
    const knobs = Object.fromEntries(Object.entries(k).map(([name, x]) => [name, value(name, x, `${at}.knobs.${name}`)]));
    return { type: 'gateway-knobs', knobs };
  },
  describe: (s) =>
    `gateway knobs ${Object.entries(s.knobs)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  blastRadius: () => ({ proxies: [], processes: [], other: ['gateway knobs (every charge and refund)'] }),
  prepare: async (env, s) => ({ type: 'gateway-knobs', previous: await knobs(env.gatewayUrl, 'GET'), holdsMs: holdsMs(s.knobs) }),
  async apply(env, s) {
    await knobs(env.gatewayUrl, 'PUT', s.knobs);
  },
  async confirm(env, s) {
    const now = await knobs(env.gatewayUrl, 'GET');
    const off = Object.entries(s.knobs).filter(([k, v]) => now[k] !== v);
    if (off.length) throw new FaultNotInEffect(`gateway knobs read back ${JSON.stringify(now)}`);
    return `gateway knobs read back ${Object.keys(s.knobs)
      .map((k) => `${k}=${now[k]}`)
      .join(' ')}`;
  },
  async revert(env, u) {
    await knobs(env.gatewayUrl, 'PUT', u.previous);
    const landed = await waitForLanding(env.gatewayUrl, (u.holdsMs ?? 0) + LANDING_SLACK_MS);
    return `gateway knobs back to ${JSON.stringify(u.previous)}${landed === undefined ? '' : `; every operation they held back has landed (${(landed / 1000).toFixed(1)} s)`}`;
  },
});
