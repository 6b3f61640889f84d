// One HTTP call as the drills see it: never throws; a refused connection or a deadline is
// an outcome (`status` 0 with `error`), because during a drill it is an expected one.

export interface HttpOutcome<T = any> {
  status: number;
  body: T;
  retryAfter: string | null;
  ms: number;
  error?: string;
}

export async function http<T = any>(method: string, url: string, body?: unknown, timeoutMs = 30_000): Promise<HttpOutcome<T>> {
  const t0 = performance.now();
  try {
    const res = await fetch(url, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed as T, retryAfter: res.headers.get('retry-after'), ms: performance.now() - t0 };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const error = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.message);
    return { status: 0, body: undefined as T, retryAfter: null, ms: performance.now() - t0, error };
  }
}
