// One HTTP call with a deadline: the only place in the project that calls fetch(). Every
// caller (the service's gateway client, ticketctl's clients and health checks, the drills,
// the stack's probes, scripts and tests) says how long it is willing to wait; a call never
// hangs on a wedged peer, and a transport failure is one typed error whose `kind` says
// whether nobody listens, nobody answered in time, or the caller gave up.
//
// A status code is never an error here: callers decide what 404 or 503 mean to them.

export interface HttpRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Sent as JSON (content-type set) unless `rawBody` is given instead. */
  body?: unknown;
  /** Sent as it is, for callers that send deliberately bad JSON (tests of 4xx answers). */
  rawBody?: string;
  headers?: Record<string, string>;
  timeoutMs: number;
  /** The caller's own cancellation (Ctrl-C), on top of the deadline. */
  signal?: AbortSignal;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON; the text itself when it is not JSON; undefined when empty. */
  body: unknown;
  /** Time from sending to the whole body read. */
  ms: number;
}

export type HttpFailureKind = 'refused' | 'timeout' | 'aborted' | 'network';

/** No answer at all: connection refused, deadline passed, cancelled, or another socket error. */
export class HttpUnreachable extends Error {
  readonly kind: HttpFailureKind;
  readonly url: string;
  constructor(kind: HttpFailureKind, url: string, message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'HttpUnreachable';
    this.kind = kind;
    this.url = url;
  }
}

export async function httpRequest(url: string | URL, req: HttpRequest): Promise<HttpAnswer> {
  const deadline = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal ? AbortSignal.any([deadline, req.signal]) : deadline;
  const headers: Record<string, string> = { ...(req.body !== undefined && req.rawBody === undefined ? { 'content-type': 'application/json' } : {}), ...req.headers };
  const body = req.rawBody ?? (req.body === undefined ? undefined : JSON.stringify(req.body));
  const t0 = performance.now();
  try {
    const res = await fetch(url, { method: req.method ?? 'GET', headers, body, signal });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, body: parseBody(text), ms: performance.now() - t0 };
  } catch (err) {
    throw unreachable(String(url), err, req, deadline);
  }
}

/** GET and parse, for the many callers that only read. */
export const httpGet = (url: string | URL, timeoutMs: number, signal?: AbortSignal) => httpRequest(url, { timeoutMs, ...(signal ? { signal } : {}) });

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function unreachable(url: string, err: unknown, req: HttpRequest, deadline: AbortSignal): HttpUnreachable {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (deadline.aborted && (e.name === 'TimeoutError' || e.name === 'AbortError')) return new HttpUnreachable('timeout', url, `no answer within ${req.timeoutMs} ms`, err);
  if (e.name === 'AbortError' || req.signal?.aborted) return new HttpUnreachable('aborted', url, 'cancelled', err);
  const code = e.cause?.code;
  if (code === 'ECONNREFUSED') return new HttpUnreachable('refused', url, 'connection refused', err);
  return new HttpUnreachable('network', url, code ?? e.cause?.message ?? e.message, err);
}
