import { errorMessage } from '../lib/index.ts';
import { describeClusterVia, type ClusterView } from '../stack/index.ts';
import { withAdmin } from './kafka.ts';
import type { Context } from './context.ts';

// Which brokers answer, judged by what the cluster's metadata says rather than by how the
// context happens to list them. A context address is either a broker's own advertised
// address (the local stack's proxies) or a bootstrap alias that no broker advertises: a
// load balancer, a Kubernetes service, a DNS name for the whole cluster. An alias is
// judged by the metadata it returns: every live broker it lists is then probed at its
// advertised address (where clients go after bootstrapping), and every broker the
// partitions name as a replica but the metadata does not list as live is reported down.

export interface BrokerProbe {
  /** Node id; null for a bootstrap alias, or a context broker whose id is not known. */
  id: number | null;
  /** The address probed; null for a broker known only as a replica id. */
  endpoint: string | null;
  /** true: a context address that no live broker advertises (a bootstrap alias, or a fenced broker's). */
  alias: boolean;
  /** Where this row comes from: the context's list, or the cluster's metadata. */
  learnedFrom: 'context' | 'metadata';
  reachable: boolean;
  latencyMs: number | null;
  /** Why not reachable; null when it is. */
  error: string | null;
  /** For an alias: the live broker ids its metadata listed. */
  lists: number[] | null;
}

export interface BrokerSurvey {
  rows: BrokerProbe[];
  /** Broker ids the metadata lists as live (registered, unfenced). */
  live: number[];
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T | null; error: string | null; ms: number }> {
  const t0 = performance.now();
  try {
    return { value: await fn(), error: null, ms: Math.round(performance.now() - t0) };
  } catch (err) {
    return { value: null, error: errorMessage(err).split('\n')[0]!, ms: Math.round(performance.now() - t0) };
  }
}

const addressOf = (b: { host: string; port: number }) => `${b.host}:${b.port}`;

/** One probe after another, so each latency is that broker's own answer time. */
export async function surveyBrokers(c: Context): Promise<BrokerSurvey> {
  const rows: BrokerProbe[] = [];
  const advertised = new Map<number, string>();
  for (const b of c.kafka.brokers) {
    const r = await timed(() => describeClusterVia(b.address));
    const view: ClusterView | null = r.value;
    for (const x of view?.brokers ?? []) advertised.set(x.nodeId, addressOf(x));
    const base = { endpoint: b.address, learnedFrom: 'context' as const, latencyMs: r.ms, lists: null };
    if (!view) {
      rows.push({ ...base, id: b.id, alias: false, reachable: false, error: r.error });
      continue;
    }
    const self = view.brokers.find((x) => addressOf(x) === b.address || x.nodeId === b.id);
    if (self) rows.push({ ...base, id: self.nodeId, alias: false, reachable: true, error: null });
    else if (b.id !== null) rows.push({ ...base, id: b.id, alias: false, reachable: false, error: `answers, but broker ${b.id} is not registered (fenced or starting)` });
    else rows.push({ ...base, id: null, alias: true, reachable: true, error: null, lists: view.brokers.map((x) => x.nodeId).sort((p, q) => p - q) });
  }
  const covered = new Set(rows.filter((r) => r.id !== null).map((r) => r.id!));
  // Brokers the context does not list by their own address: probe each where it advertises itself.
  for (const [id, address] of [...advertised].sort(([p], [q]) => p - q)) {
    if (covered.has(id)) continue;
    covered.add(id);
    const r = await timed(() => describeClusterVia(address));
    const self = r.value?.brokers.find((x) => x.nodeId === id);
    const error = r.value ? (self ? null : 'answers at its advertised address, but is no longer registered') : `registered, but its advertised address does not answer from here: ${r.error}`;
    rows.push({ id, endpoint: address, alias: false, learnedFrom: 'metadata', reachable: error === null, latencyMs: r.ms, error, lists: null });
  }
  // Brokers that hold replicas but are not live: the metadata names them only by id.
  if (rows.some((r) => r.reachable)) {
    const replicaIds = await withAdmin(c, async (admin) => (await admin.fetchTopicMetadata()).topics.flatMap((t) => t.partitions.flatMap((p) => p.replicas)), { quick: true }).catch(() => [] as number[]);
    for (const id of [...new Set(replicaIds)].sort((p, q) => p - q)) {
      if (covered.has(id)) continue;
      covered.add(id);
      rows.push({ id, endpoint: null, alias: false, learnedFrom: 'metadata', reachable: false, latencyMs: null, error: 'holds replicas, but is not registered in the cluster (down or fenced)', lists: null });
    }
  }
  return { rows, live: [...advertised.keys()].sort((p, q) => p - q) };
}
