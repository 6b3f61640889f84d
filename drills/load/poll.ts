import { delay } from '../../lib/index.ts';
import { errorCodeOf, http } from '../http.ts';

// The polling phase of a drill's load (load.pollMs): after its payment is accepted, a
// client keeps polling GET /payments/:id every load.pollIntervalMs for load.pollMs, as a
// payment page does, whatever the answer (the fault may land meanwhile). Every answer is
// recorded with what it said (status, fallback mark) for the `polls-answered` invariant.

/** One poll's answer: the fields of run.ts's Answer (not imported: run.ts imports this file), and what it said. */
export interface PollAnswer {
  status: number;
  ms: number;
  retryAfter: string | null;
  code: string | null;
  error?: string;
  /** When the poll was sent (epoch ms). */
  at: number;
  /** The payment status the answer gave (body.status), null when none. */
  paymentStatus: string | null;
  /** body.fallback === true: answered from the event log, not the database. */
  fallback: boolean;
}

interface PollBody {
  status?: unknown;
  fallback?: unknown;
  error?: { code?: string };
}

export async function pollPayment(url: string, paymentTxId: string, forMs: number, intervalMs: number, signal?: AbortSignal): Promise<PollAnswer[]> {
  const until = Date.now() + forMs;
  const out: PollAnswer[] = [];
  while (Date.now() < until) {
    signal?.throwIfAborted();
    const at = Date.now();
    const r = await http<PollBody>('GET', `${url}/payments/${paymentTxId}`, undefined, 30_000);
    out.push({
      at,
      status: r.status,
      ms: Math.round(r.ms),
      retryAfter: r.retryAfter,
      code: errorCodeOf(r.body),
      ...(r.error ? { error: r.error } : {}),
      paymentStatus: typeof r.body?.status === 'string' ? r.body.status : null,
      fallback: r.body?.fallback === true,
    });
    // A poll page's pacing, not a wait for a condition: the drill wants every answer on the way.
    await delay(Math.max(0, Math.min(intervalMs - (Date.now() - at), until - Date.now())), signal);
  }
  return out;
}
