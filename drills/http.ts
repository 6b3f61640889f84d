import { httpRequest } from '../lib/index.ts';

// One HTTP call as the drills see it: never throws; a refused connection or a deadline is
// an outcome (`status` 0 with `error`), because during a drill it is an expected one.

/**
 * The fields drills read from the service's JSON answers: `{error: {code, ...}}` from a
 * refused request, `{status, error?: string, detail?}` from /health/*, `holdId` and `holdSecret` from a hold,
 * `breaker` from /admin/state. Untrusted: every reader checks the field it uses.
 */
export interface ServiceAnswer {
  error?: string | { code?: string; message?: string };
  detail?: string;
  holdId?: string;
  /** Proof of owning the hold, sent with its payment; never recorded in a drill's results. */
  holdSecret?: string;
  breaker?: { state?: string };
}

/** The `error.code` of a refused request's answer; null for any other answer (a health check's `error` is a string). */
export function errorCodeOf(body: ServiceAnswer | undefined): string | null {
  const error: unknown = body?.error;
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : null;
}

export interface HttpOutcome<T = ServiceAnswer> {
  status: number;
  body: T;
  retryAfter: string | null;
  ms: number;
  error?: string;
}

export async function http<T = ServiceAnswer>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown, timeoutMs = 30_000): Promise<HttpOutcome<T>> {
  const t0 = performance.now();
  try {
    const a = await httpRequest(url, { method, body, timeoutMs });
    return { status: a.status, body: a.body as T, retryAfter: a.headers.get('retry-after'), ms: a.ms };
  } catch (err) {
    const e = err as Error & { kind?: string; cause?: { cause?: { code?: string } } };
    // Callers match refusals by the socket's code, as fetch reported it.
    const error = e.kind === 'refused' ? 'ECONNREFUSED' : e.message;
    return { status: 0, body: undefined as T, retryAfter: null, ms: performance.now() - t0, error };
  }
}
