import { OpsError, httpRequest, type HttpAnswer } from '../lib/index.ts';

// The few Toxiproxy v2 HTTP calls the drills, health checks and tests make, each with its
// own deadline. Chosen over toxiproxy-node-client: its axios calls have no timeout, so a
// wedged API would hang a rollback, and it has no call to list a proxy's toxics, which is
// how a drill confirms its fault is in place. POST /proxies/<name> takes a partial body here
// (`{"enabled": false}`), measured on v2.12.0.

export interface ToxicBody {
  name: string;
  type: string;
  stream: 'upstream' | 'downstream';
  toxicity: number;
  attributes: Record<string, number>;
}

export interface ProxyState {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicBody[];
}

export function createToxiproxyApi(baseUrl: string, timeoutMs = 5000) {
  /** The parsed answer; `null` for a 404 when allow404 (already gone), undefined for an empty body. */
  async function call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, allow404 = false): Promise<T | null | undefined> {
    let res: HttpAnswer;
    try {
      res = await httpRequest(`${baseUrl}${path}`, { method, body, timeoutMs });
    } catch (err) {
      throw new OpsError(`Toxiproxy at ${baseUrl} did not answer ${method} ${path}: ${(err as Error).message}`, {
        code: 'TOXIPROXY_UNREACHABLE',
        retriable: true,
        hint: 'Check it with `ticketctl stack status`; start it with `ticketctl stack up --only toxiproxy`.',
        cause: err,
      });
    }
    if (res.status === 404 && allow404) return null;
    if (res.status >= 300) throw new OpsError(`Toxiproxy answered ${res.status} to ${method} ${path}: ${res.text}`, { code: 'TOXIPROXY_ERROR', hint: 'See `ticketctl stack logs toxiproxy`.' });
    return res.body as T | undefined;
  }
  return {
    proxy: async (name: string) => (await call<ProxyState>('GET', `/proxies/${name}`))!,
    setEnabled: async (name: string, enabled: boolean) => (await call<ProxyState>('POST', `/proxies/${name}`, { enabled }))!,
    addToxic: async (proxy: string, toxic: ToxicBody) => (await call<ToxicBody>('POST', `/proxies/${proxy}/toxics`, toxic))!,
    /** true when it was there. */
    removeToxic: async (proxy: string, name: string) => (await call('DELETE', `/proxies/${proxy}/toxics/${name}`, undefined, true)) !== null,
    proxies: async () => (await call<Record<string, ProxyState>>('GET', '/proxies'))!,
    /** A new proxy; `listen` may name port 0 (Toxiproxy picks one and answers with it). */
    createProxy: async (p: { name: string; listen: string; upstream: string }) => (await call<ProxyState>('POST', '/proxies', { ...p, enabled: true }))!,
    /** true when it was there. */
    deleteProxy: async (name: string) => (await call('DELETE', `/proxies/${name}`, undefined, true)) !== null,
  };
}

export type ToxiproxyApi = ReturnType<typeof createToxiproxyApi>;
