import type { Admin } from 'kafkajs';
import { TOPICS } from '../../contracts/index.ts';
import { consumerLag as sagaLag } from '../../service/index.ts';
import type { ProbeName } from '../format/types.ts';
import { http, type ServiceAnswer } from '../http.ts';
import type { InstanceRead } from '../../clients/index.ts';

// Probes: checks that pass in steady state and fail while a fault bites. A drill names the
// ones its fault must make fail (`detect.probes`): that is how the runner knows the fault
// took effect, and when (time to detect). All read the live stack, each within a deadline.

export interface ProbeEnv {
  serviceUrls: string[];
  /** Each instance's switches, from its admin listener (with the context's token). */
  adminStates: () => Promise<InstanceRead[]>;
  admin: () => Promise<Admin>;
  /** payment.dlq end offsets before the fault, for dlq-unchanged. */
  dlqBaseline: () => Promise<bigint>;
  /** The drill's lag threshold (steadyState.maxLag), for lag-under-threshold. */
  maxLag: number;
}

export interface ProbeResult {
  name: string;
  ok: boolean;
  detail: string;
}

async function everyInstance(env: ProbeEnv, path: string, ok: (status: number, body: ServiceAnswer | undefined) => boolean, timeoutMs = 3000): Promise<string[]> {
  const answers = await Promise.all(env.serviceUrls.map(async (u) => ({ u, r: await http('GET', `${u}${path}`, undefined, timeoutMs) })));
  const why = (b: ServiceAnswer | undefined) => (b?.error ? ` ${typeof b.error === 'string' ? b.error : JSON.stringify(b.error)}` : b?.detail ? ` ${b.detail}` : '');
  return answers.filter(({ r }) => !ok(r.status, r.body)).map(({ u, r }) => `${u}${path}: ${r.status || r.error}${why(r.body)}`);
}

const healthProbe = (path: string) => async (env: ProbeEnv) => {
  const bad = await everyInstance(env, path, (s) => s === 200);
  return bad.length ? { ok: false, detail: bad.join('; ') } : { ok: true, detail: `${path} 200 on ${env.serviceUrls.length} instances` };
};

export async function dlqEnd(admin: Admin): Promise<bigint> {
  return (await admin.fetchTopicOffsets(TOPICS.paymentDlq)).reduce((n, p) => n + BigInt(p.high), 0n);
}

/** Messages on the saga's topics its consumer group has not committed: the service's own lag metric (report 3). */
export async function consumerLag(admin: Admin): Promise<number> {
  return Object.values(await sagaLag(admin)).reduce((a, b) => a + b, 0);
}

const PROBES: Record<ProbeName, (env: ProbeEnv) => Promise<Omit<ProbeResult, 'name'>>> = {
  'service-health': healthProbe('/health'),
  'health-db': healthProbe('/health/db'),
  'health-kafka': healthProbe('/health/kafka'),
  'health-redis': healthProbe('/health/redis'),
  async 'all-brokers-up'(env) {
    const bad = await everyInstance(env, '/health/kafka', (s, b) => s === 200 && /^3 brokers/.test(String(b?.detail)));
    return bad.length ? { ok: false, detail: bad.join('; ') } : { ok: true, detail: 'every instance sees 3 live brokers' };
  },
  async 'breakers-closed'(env) {
    const states = await env.adminStates();
    const bad = states.filter((r) => r.state?.breaker.state !== 'CLOSED').map((r) => `${r.url}: ${r.state?.breaker.state ?? r.error}`);
    return bad.length ? { ok: false, detail: `breaker not CLOSED: ${bad.join('; ')}` } : { ok: true, detail: 'every breaker CLOSED' };
  },
  async 'dlq-unchanged'(env) {
    const [now, base] = [await dlqEnd(await env.admin()), await env.dlqBaseline()];
    return now === base ? { ok: true, detail: `payment.dlq at ${now}` } : { ok: false, detail: `payment.dlq grew by ${now - base}` };
  },
  async 'lag-under-threshold'(env) {
    const lag = await consumerLag(await env.admin());
    return lag <= env.maxLag ? { ok: true, detail: `consumer lag ${lag} <= ${env.maxLag}` } : { ok: false, detail: `consumer lag ${lag} > ${env.maxLag} (alert threshold)` };
  },
  async 'holds-answer'(env) {
    // A hold of a seat that does not exist: a real database read, no side effect; 404 is the healthy answer.
    const rs = await Promise.all(env.serviceUrls.map((u) => http('POST', `${u}/holds`, { seatId: 2_000_000_000, userId: 'drill-probe' }, 3000)));
    const bad = rs.filter((r) => r.status !== 404).map((r) => `${r.status || r.error} in ${Math.round(r.ms)} ms${r.retryAfter ? ` (Retry-After ${r.retryAfter})` : ''}`);
    return bad.length ? { ok: false, detail: `POST /holds answered ${bad.join('; ')}` } : { ok: true, detail: 'POST /holds answered 404 for an unknown seat on every instance' };
  },
};

export async function runProbe(name: ProbeName, env: ProbeEnv): Promise<ProbeResult> {
  try {
    return { name, ...(await PROBES[name](env)) };
  } catch (err) {
    return { name, ok: false, detail: `probe failed: ${(err as Error).message}` };
  }
}
