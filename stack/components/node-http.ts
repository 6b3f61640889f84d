import { probeWithin } from '../probes/result.ts';
import type { ProbeResult } from './types.ts';
import { httpGet } from '../../lib/index.ts';

/** GET a JSON health endpoint; answers when it returns 200 (or 503 counts as an answer when `anyStatus`). */
export function httpHealthProbe(url: string, timeoutMs = 2500): () => Promise<ProbeResult> {
  return () =>
    probeWithin(timeoutMs, async () => {
      const res = await httpGet(url, timeoutMs);
      const body = (typeof res.body === 'object' && res.body ? res.body : {}) as { status?: string; checks?: Record<string, { status: string }> };
      if (res.status !== 200) {
        const down = Object.entries(body.checks ?? {})
          .filter(([, c]) => c.status !== 'UP')
          .map(([k]) => k);
        throw new Error(`health ${res.status}${down.length ? `: ${down.join(', ')} down` : ''}`);
      }
      return `health ${body.status ?? 'UP'}`;
    });
}

/** Node.js of this process (the project's Node 24), with kafkajs's harmless warning off. */
export const NODE_ARGS = ['--disable-warning=TimeoutNegativeWarning'];
