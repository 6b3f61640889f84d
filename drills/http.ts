import { httpRequest } from '../lib/index.ts';

// One HTTP call as the drills see it: never throws; a refused connection or a deadline is
// an outcome (`status` 0 with `error`), because during a drill it is an expected one.

export interface HttpOutcome<T = any> {
  status: number;
  body: T;
  retryAfter: string | null;
  ms: number;
  error?: string;
}

export async function http<T = any>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown, timeoutMs = 30_000): Promise<HttpOutcome<T>> {
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
