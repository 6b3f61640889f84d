import { MAX_SERVICE_INSTANCES, createTopology } from '../../../contracts/index.ts';
import type { Context } from '../../../clients/index.ts';
import type { LiveInstance } from './lock-view.ts';
import { httpGet } from '../../../lib/index.ts';

// Which service instances run now: a lock's owner is an instance id (INSTANCE_ID, e.g.
// service-2), and it is alive when some instance answers /health reporting that id (a 503
// counts: the process runs and still renews or releases its locks). Asked: the context's
// service URLs and, for a local stack, every port an instance could have been scaled onto,
// so a lock of an instance started beyond the context's list is not taken for orphaned.

const PROBE_TIMEOUT_MS = 3000;

export function candidateUrls(c: Context): string[] {
  const urls = new Set(c.serviceUrls.map((u) => u.replace(/\/+$/, '')));
  if (c.stack) {
    const t = createTopology({ portOffset: c.stack.portOffset });
    for (let n = 1; n <= MAX_SERVICE_INSTANCES; n++) urls.add(`http://${t.host}:${t.servicePort(n)}`);
  }
  return [...urls];
}

export async function findLiveInstances(c: Context): Promise<LiveInstance[]> {
  const answers = await Promise.all(candidateUrls(c).map((url) => askHealth(url)));
  return answers.filter((a): a is LiveInstance => a !== undefined);
}

async function askHealth(url: string): Promise<LiveInstance | undefined> {
  try {
    const res = await httpGet(`${url}/health`, PROBE_TIMEOUT_MS);
    const body = (res.body ?? {}) as { instanceId?: unknown };
    return typeof body.instanceId === 'string' ? { instanceId: body.instanceId, url, healthy: res.status === 200 } : undefined;
  } catch {
    return undefined; // nothing there, or not a service instance
  }
}
