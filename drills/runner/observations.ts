import type { RowDataPacket } from 'mysql2/promise';
import { WaitTimeoutError, waitFor } from '../../lib/index.ts';
import type { Drill } from '../format/types.ts';
import { http } from '../http.ts';
import { consumerLag, runProbe } from '../probes/index.ts';
import type { DrillEnv } from './env.ts';

// The steady-state hypothesis (chaostoolkit's term): every instance healthy, the saga's
// consumer lag under the drill's threshold, and the read error rate of a small probe burst
// (GET /seats on every instance) within bounds. Checked before the fault (the drill does
// not start otherwise) and after it (time to recover). "Drained" is the stronger
// after-state: the run's own payments all final and their events published.

export interface Observation {
  ok: boolean;
  detail: string;
}

export async function steadyState(env: DrillEnv, drill: Drill, concertId: number): Promise<Observation> {
  const health = await runProbe(
    'service-health',
    env.probeEnv(async () => 0n),
  );
  let lag: number | string;
  try {
    lag = await consumerLag(await env.admin());
  } catch (err) {
    lag = `unknown (${(err as Error).message})`;
  }
  const urls = env.context.serviceUrls;
  const burst = await Promise.all([...urls, ...urls].map((u) => http('GET', `${u}/seats?concertId=${concertId}`, undefined, 3000)));
  const errors = burst.filter((r) => r.status !== 200).length;
  const rate = errors / burst.length;
  const lagOk = typeof lag === 'number' && lag <= drill.steadyState.maxLag;
  const ok = health.ok && lagOk && rate <= drill.steadyState.maxErrorRate;
  return { ok, detail: `health: ${health.detail}; lag ${lag} (max ${drill.steadyState.maxLag}); read errors ${errors}/${burst.length} (max rate ${drill.steadyState.maxErrorRate})` };
}

export async function drained(env: DrillEnv, drill: Drill, accepted: string[]): Promise<Observation> {
  let pending = 0;
  let unpublished = 0;
  if (accepted.length) {
    const [[p]] = await env.db.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM payment_transactions WHERE payment_tx_id IN (?) AND status = 'PENDING'", [accepted]);
    const [[o]] = await env.db.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM outbox WHERE message_key IN (?) AND published_at IS NULL', [accepted]);
    pending = Number(p!.n);
    unpublished = Number(o!.n);
  }
  const lag = await consumerLag(await env.admin());
  return {
    ok: pending === 0 && unpublished === 0 && lag <= drill.steadyState.maxLag,
    detail: `PENDING ${pending}, unpublished outbox rows ${unpublished}, consumer lag ${lag} (max ${drill.steadyState.maxLag})`,
  };
}

/**
 * Polls until `observe` says ok or the time is up (lib/wait.ts waitFor); never throws on
 * timeout: returns the last observation, and when it held (null when it never did).
 */
export async function until(observe: () => Promise<Observation>, withinMs: number, signal?: AbortSignal, intervalMs = 1000): Promise<Observation & { at: number | null }> {
  let last: Observation = { ok: false, detail: 'not observed yet' };
  const look = async () => {
    try {
      last = await observe();
    } catch (err) {
      last = { ok: false, detail: `could not observe: ${(err as Error).message}` };
    }
    return last.ok ? { ...last, at: Date.now() } : undefined;
  };
  try {
    return await waitFor(look, { timeoutMs: withinMs, intervalMs, what: 'the observation to hold', signal });
  } catch (err) {
    if (err instanceof WaitTimeoutError) return { ...last, at: null };
    throw err;
  }
}
