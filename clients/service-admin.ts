import { UsageError, httpRequest, HttpUnreachable, type HttpAnswer } from '../lib/index.ts';
import type { Context } from './context.ts';

// The service instances' operator switches (service/http/routes/admin.ts), on their admin
// listeners with the context's bearer token: GET
// /admin/state, PUT /admin/retry-mode (report 2.2.2), PUT /admin/consumer-profile (4.2.2),
// POST /admin/breaker. One instance's failure is a value here, never an exception that
// hides what the other instances said.

export interface AdminState {
  instanceId: string;
  breaker: { state: 'CLOSED' | 'OPEN' | 'HALF_OPEN'; failureRate: number; calls: number; failures: number; openedAt: number | null; retryAfterMs: number | null; forced: boolean };
  retry: { emergency: boolean; maxRetries: number };
  consumer: { profile: 'normal' | 'emergency' };
}

export interface Instance {
  /** service-<n>, as `stack status` names it. */
  name: string;
  url: string;
}

export interface InstanceRead extends Instance {
  state: AdminState | null;
  /** Why state is null: the instance did not answer, or answered an error. */
  error: string | null;
}

/** The instances' admin listeners and the token they take, for one command. */
export interface ServiceAdmin {
  instances: Instance[];
  /** One admin request; throws an Error whose message says what went wrong in a few words (never the token). */
  call(url: string, method: 'GET' | 'PUT' | 'POST', route: string, body?: unknown, timeoutMs?: number): Promise<AdminState>;
  readAll(): Promise<InstanceRead[]>;
}

/**
 * The context's admin listeners (one per instance: service-1 is the first) with its admin
 * token. A context without admin URLs or a token is a usage error naming the key, before
 * any request; the token is read here, once, and sent only as the Authorization header.
 */
export function serviceAdmin(c: Pick<Context, 'name' | 'source' | 'serviceAdmin'>): ServiceAdmin {
  // Where the token comes from, as the operator would fix it: a config key, or the stack's own credential.
  const tokenKey = c.source === 'built-in' ? "the stack's admin token" : `contexts.${c.name}.admin.token`;
  if (c.serviceAdmin.urls.length === 0)
    throw new UsageError(
      `Context "${c.name}" names no admin listener for its service instances.`,
      `Add contexts.${c.name}.admin.urls (one per instance, e.g. http://10.0.0.5:3101) to ${c.source}; the admin API is not on the public port.`,
    );
  if (!c.serviceAdmin.token)
    throw new UsageError(`Context "${c.name}" has no admin token for its service instances.`, `Add contexts.${c.name}.admin.token ({"env": "NAME"} or {"file": "path"}) to ${c.source}.`);
  const token = c.serviceAdmin.token;
  const bearer = token.reveal();
  const instances = c.serviceAdmin.urls.map((url, i) => ({ name: `service-${i + 1}`, url: url.replace(/\/+$/, '') }));
  const call: ServiceAdmin['call'] = async (url, method, route, body, timeoutMs = 10_000) => {
    let res: HttpAnswer;
    try {
      res = await httpRequest(`${url}${route}`, { method, body, timeoutMs, headers: { authorization: `Bearer ${bearer}` } });
    } catch (err) {
      const kind = err instanceof HttpUnreachable ? err.kind : 'network';
      if (kind === 'refused') throw new Error('not running (connection refused)', { cause: err });
      if (kind === 'timeout') throw new Error(`no answer within ${timeoutMs / 1000} s`, { cause: err });
      throw new Error((err as Error).message, { cause: err });
    }
    if (res.status === 401) throw new Error(`the admin token was refused (401): check ${tokenKey} (${token.source})`);
    if (res.status !== 200) throw new Error(`${method} ${route} answered ${res.status}: ${res.text.slice(0, 200)}`);
    return JSON.parse(res.text) as AdminState;
  };
  const read = async (i: Instance, timeoutMs = 5000): Promise<InstanceRead> => {
    try {
      return { ...i, state: await call(i.url, 'GET', '/admin/state', undefined, timeoutMs), error: null };
    } catch (err) {
      return { ...i, state: null, error: (err as Error).message };
    }
  };
  return { instances, call, readAll: () => Promise.all(instances.map((i) => read(i))) };
}
