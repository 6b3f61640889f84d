// Each service instance's heartbeat in Redis (issue 12.6): the key `instance-heartbeat:<id>`
// holds this JSON and expires HEARTBEAT_TTL_MS after the last beat, so "the owner of a
// seat lock is alive" reads as "its heartbeat key exists", whatever sits between ticketctl
// and the instances (a load balancer, a Kubernetes service). The service writes it
// (service/heartbeat.ts); `ticketctl locks` reads it.

export const HEARTBEAT_PREFIX = 'instance-heartbeat:';
/** How often an instance beats. */
export const HEARTBEAT_INTERVAL_MS = 2000;
/** How long a beat stays fresh: five intervals, so one slow beat or a short Redis blip does not declare a live owner gone. */
export const HEARTBEAT_TTL_MS = 10_000;

export interface Heartbeat {
  instanceId: string;
  /** Where the instance serves HTTP, as it knows itself (informative: behind a load balancer it is not the public address). */
  url: string;
  /** This run of the instance: a restart under the same id beats with a new session. */
  session: string;
  startedAt: number;
  /** When this beat was written (the instance's clock). */
  at: number;
}

export const heartbeatKey = (instanceId: string) => `${HEARTBEAT_PREFIX}${instanceId}`;

export function parseHeartbeat(raw: string | null): Heartbeat | undefined {
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as Heartbeat;
    return typeof v.instanceId === 'string' && typeof v.at === 'number' && typeof v.session === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}
