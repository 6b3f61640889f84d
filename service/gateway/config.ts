import { UsageError } from '../../lib/index.ts';
import { MAX_KNOB_MS, REFUND_POLICIES, type Knobs, type RefundPolicy } from './knobs.ts';

// The gateway's settings from environment variables. main.ts passes process.env in (it is
// the only reader of the environment); everything here is a pure function of its input.
// A bad value fails before anything starts, naming the variable and what would be valid.

export interface GatewayConfig {
  host: string;
  port: number;
  db: { host: string; port: number; user: string; password: string; database: string };
  knobs: Partial<Knobs>;
}

type Env = Record<string, string | undefined>;

function bad(name: string, value: string, want: string): UsageError {
  return new UsageError(`${name}=${JSON.stringify(value)} is not valid: ${want}.`, `Set ${name} to ${want}, or unset it to use the default.`);
}

function text(env: Env, name: string, fallback: string): string {
  const v = env[name];
  if (v === undefined) return fallback;
  if (v.trim() === '') throw bad(name, v, 'a non-empty value');
  return v;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const v = env[name];
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v.trim()) || Number(v) < min || Number(v) > max) throw bad(name, v, `a whole number from ${min} to ${max}`);
  return Number(v);
}

function rate(env: Env, name: string): number | undefined {
  const v = env[name];
  if (v === undefined) return undefined;
  const n = v.trim() === '' ? NaN : Number(v);
  if (!(n >= 0 && n <= 1)) throw bad(name, v, 'a probability from 0 to 1 (e.g. 0.25)');
  return n;
}

/** Loopback only: the stand-in has no authentication and must not be reachable from other machines. */
function loopbackHost(env: Env): string {
  const host = text(env, 'GATEWAY_HOST', '127.0.0.1');
  if (!/^127(?:\.\d{1,3}){3}$/.test(host) && host !== '::1' && host !== 'localhost') {
    throw bad('GATEWAY_HOST', host, 'a loopback address such as 127.0.0.1 (the stand-in has no authentication)');
  }
  return host;
}

function refundPolicy(env: Env): RefundPolicy | undefined {
  const v = env.GATEWAY_REFUND_POLICY;
  if (v === undefined) return undefined;
  if (!(REFUND_POLICIES as readonly string[]).includes(v)) throw bad('GATEWAY_REFUND_POLICY', v, `one of ${REFUND_POLICIES.join(', ')}`);
  return v as RefundPolicy;
}

export function readGatewayConfig(env: Env): GatewayConfig {
  const optionalMs = (name: string) => (env[name] === undefined ? undefined : integer(env, name, 0, 0, MAX_KNOB_MS));
  return {
    host: loopbackHost(env),
    // 0 asks the kernel for a free port; the start-up line says which one.
    port: integer(env, 'GATEWAY_PORT', 18080, 0, 65535),
    db: {
      host: text(env, 'GATEWAY_DB_HOST', '127.0.0.1'),
      port: integer(env, 'GATEWAY_DB_PORT', 13307, 1, 65535),
      user: text(env, 'GATEWAY_DB_USER', 'gateway'),
      password: env.GATEWAY_DB_PASSWORD ?? 'gateway',
      database: text(env, 'GATEWAY_DB_NAME', 'gateway'),
    },
    knobs: {
      errorRate: rate(env, 'GATEWAY_ERROR_RATE'),
      latencyMs: optionalMs('GATEWAY_LATENCY_MS'),
      declineRate: rate(env, 'GATEWAY_DECLINE_RATE'),
      timeoutAfterChargeRate: rate(env, 'GATEWAY_TIMEOUT_AFTER_CHARGE_RATE'),
      timeoutAfterChargeMs: optionalMs('GATEWAY_TIMEOUT_AFTER_CHARGE_MS'),
      refundPolicy: refundPolicy(env),
    },
  };
}
