import { httpRequest, HttpUnreachable, type HttpAnswer } from '../lib/index.ts';
import type { Context } from './context.ts';

// The service instances' operator switches (service/http/routes/operations.ts): GET
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

export function serviceInstances(c: Pick<Context, 'serviceUrls'>): Instance[] {
  return c.serviceUrls.map((url, i) => ({ name: `service-${i + 1}`, url: url.replace(/\/+$/, '') }));
}

/** One admin request; throws an Error whose message says what went wrong in a few words. */
export async function adminCall(url: string, method: 'GET' | 'PUT' | 'POST', route: string, body?: unknown, timeoutMs = 10_000): Promise<AdminState> {
  let res: HttpAnswer;
  try {
    res = await httpRequest(`${url}${route}`, { method, body, timeoutMs });
  } catch (err) {
    const kind = err instanceof HttpUnreachable ? err.kind : 'network';
    if (kind === 'refused') throw new Error('not running (connection refused)', { cause: err });
    if (kind === 'timeout') throw new Error(`no answer within ${timeoutMs / 1000} s`, { cause: err });
    throw new Error((err as Error).message, { cause: err });
  }
  if (res.status !== 200) throw new Error(`${method} ${route} answered ${res.status}: ${res.text.slice(0, 200)}`);
  return JSON.parse(res.text) as AdminState;
}

export async function readInstance(i: Instance, timeoutMs = 5000): Promise<InstanceRead> {
  try {
    return { ...i, state: await adminCall(i.url, 'GET', '/admin/state', undefined, timeoutMs), error: null };
  } catch (err) {
    return { ...i, state: null, error: (err as Error).message };
  }
}

export const readAll = (instances: Instance[]): Promise<InstanceRead[]> => Promise.all(instances.map((i) => readInstance(i)));
