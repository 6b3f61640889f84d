import { errorMessage } from '../../../lib/index.ts';

// One health check: a real request to one component, timed, never throwing. A check that
// fails or does not answer in time is DOWN with the reason in `detail`.

export type HealthStatus = 'UP' | 'WARN' | 'DOWN' | 'SKIP';
export type HealthGroup = 'kafka' | 'redis' | 'sentinel' | 'mariadb' | 'toxiproxy' | 'gateway' | 'service';

/** One row of `ticketctl health`; keys documented in docs/ticketctl.md. */
export interface ComponentHealth {
  component: string;
  group: HealthGroup;
  endpoint: string;
  status: HealthStatus;
  /** Wall time of the check; null when skipped. */
  latencyMs: number | null;
  detail: string;
}

export interface Outcome {
  status: HealthStatus;
  detail: string;
}

export const up = (detail: string): Outcome => ({ status: 'UP', detail });
export const warn = (detail: string): Outcome => ({ status: 'WARN', detail });
export const down = (detail: string): Outcome => ({ status: 'DOWN', detail });

export interface CheckSpec {
  component: string;
  group: HealthGroup;
  endpoint: string;
  timeoutMs?: number;
}

export async function runCheck(spec: CheckSpec, fn: () => Promise<Outcome>): Promise<ComponentHealth> {
  const { timeoutMs = 5000, ...row } = spec;
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  let outcome: Outcome;
  try {
    outcome = await Promise.race([fn(), deadline]);
  } catch (err) {
    outcome = down(errorMessage(err).split('\n')[0]!.trim() || 'error');
  } finally {
    clearTimeout(timer);
  }
  const latencyMs = outcome.status === 'SKIP' ? null : Math.round(performance.now() - t0);
  return { ...row, ...outcome, latencyMs };
}

export function skipped(spec: CheckSpec, detail: string): ComponentHealth {
  const { timeoutMs: _ignored, ...row } = spec;
  return { ...row, status: 'SKIP', latencyMs: null, detail };
}
