import type { Admin } from 'kafkajs';
import { OpsError, WaitTimeoutError, waitFor, httpGet } from '../../../lib/index.ts';
import { describeQuorumStatus, electPreferredLeadersFor, type KafkaToolsEnv } from '../../../stack/index.ts';
import { fetchPartitions, partitionLabel, type PartitionView, parseQuorumStatus, type QuorumStatus } from '../../../clients/index.ts';
import { electionPlan } from './election-plan.ts';

// The checks after a whole-cluster start (runbook 4.1.2), each polling until it holds or
// the shared deadline passes: the quorum and every broker, full ISRs, the topic layout,
// preferred leaders, and the service instances' /health.

export interface Deadline {
  at: number;
  signal: AbortSignal;
}

async function until<T>(d: Deadline, what: string, hint: string, probe: () => Promise<T | undefined | false>, intervalMs = 1000): Promise<T> {
  try {
    return await waitFor(probe, { timeoutMs: Math.max(1000, d.at - Date.now()), intervalMs, what, signal: d.signal });
  } catch (err) {
    if (!(err instanceof WaitTimeoutError)) throw err;
    throw new OpsError(`${err.message}.`, { code: 'RECOVERY_TIMEOUT', retriable: true, hint, cause: err });
  }
}

export function waitForQuorum(d: Deadline, tools: KafkaToolsEnv, bootstrap: string, voters: number): Promise<QuorumStatus> {
  return until(
    d,
    `a KRaft quorum leader with ${voters} voters`,
    'Read the broker logs (`ticketctl stack logs kafka-1`); `ticketctl health` shows the kafka-quorum row. A larger --timeout may be all it needs.',
    async () => {
      const q = parseQuorumStatus(await describeQuorumStatus(tools, bootstrap, 5000));
      if (q.leaderId < 0) throw new Error('no quorum leader yet');
      if (q.voters.length < voters) throw new Error(`${q.voters.length} voter(s) of ${voters}`);
      return q;
    },
    2000,
  );
}

export function waitForBrokers(d: Deadline, admin: Admin, ids: number[]): Promise<number[]> {
  return until(d, `brokers ${ids.join(', ')} registered`, 'See which broker is missing with `ticketctl kafka brokers`; its log with `ticketctl stack logs kafka-<id>`.', async () => {
    const live = (await admin.describeCluster()).brokers.map((b) => b.nodeId).sort((a, b) => a - b);
    const missing = ids.filter((id) => !live.includes(id));
    if (missing.length) throw new Error(`broker(s) ${missing.join(', ')} not registered (live: ${live.join(', ') || 'none'})`);
    return live;
  });
}

export function waitForFullIsr(d: Deadline, admin: Admin): Promise<PartitionView[]> {
  return until(
    d,
    'every partition with all its replicas in the ISR',
    'Check progress with `ticketctl kafka describe <topic>`; a broker that stays out of the ISR: `ticketctl stack logs kafka-<id>`.',
    async () => {
      const { partitions } = await fetchPartitions(admin);
      const short = partitions.filter((p) => p.underReplicated || p.offline);
      if (short.length) throw new Error(`${short.length} partition(s) short, e.g. ${partitionLabel(short[0]!)} ISR ${short[0]!.isr.join(',') || '-'} of ${short[0]!.replicas.join(',')}`);
      return partitions;
    },
  );
}

/** Saga topics whose layout differs from what the service relies on, as "topic: why". */
export async function layoutProblems(admin: Admin, topics: readonly string[], layout: { partitions: number; replicationFactor: number; minInsyncReplicas: number }): Promise<string[]> {
  const { partitions, minIsr } = await fetchPartitions(admin, [...topics]);
  const problems: string[] = [];
  for (const t of topics) {
    const mine = partitions.filter((p) => p.topic === t);
    const rf = Math.min(...mine.map((p) => p.replicas.length));
    if (mine.length !== layout.partitions) problems.push(`${t}: ${mine.length} partition(s), expected ${layout.partitions}`);
    if (mine.length && rf !== layout.replicationFactor) problems.push(`${t}: replication factor ${rf}, expected ${layout.replicationFactor}`);
    if ((minIsr[t] ?? 1) !== layout.minInsyncReplicas) problems.push(`${t}: min.insync.replicas ${minIsr[t] ?? '?'}, expected ${layout.minInsyncReplicas}`);
  }
  return problems;
}

/** Elects the preferred leader wherever it is elsewhere (all in the ISR by now); returns what moved. */
export async function electDisplaced(d: Deadline, admin: Admin, tools: KafkaToolsEnv, bootstrap: string, partitions: PartitionView[]): Promise<string[]> {
  const targets = electionPlan(partitions, bootstrap, { topic: null, partition: null }, 30).data.elect;
  if (!targets.length) return [];
  await electPreferredLeadersFor(
    tools,
    bootstrap,
    targets.map((t) => ({ topic: t.topic, partition: t.partition })),
  );
  const topics = [...new Set(targets.map((t) => t.topic))];
  await until(
    d,
    'every elected partition led by its preferred replica',
    'See `ticketctl kafka elect-leaders --dry-run` for what is left, and run it.',
    async () => {
      const now = (await fetchPartitions(admin, topics)).partitions;
      const still = targets.filter((t) => !now.some((p) => p.topic === t.topic && p.partition === t.partition && p.onPreferredLeader));
      if (still.length) throw new Error(`${still.length} still elsewhere, e.g. ${partitionLabel(still[0]!)}`);
      return true;
    },
    500,
  );
  return targets.map(partitionLabel);
}

/** GET /health of one instance: its status code, or undefined when nothing answers. */
export async function healthStatus(url: string, timeoutMs = 4000): Promise<number | undefined> {
  try {
    return (await httpGet(`${url}/health`, timeoutMs)).status;
  } catch {
    return undefined;
  }
}

export function waitForServices(d: Deadline, urls: string[]): Promise<true> {
  return until(d, `/health 200 from ${urls.join(', ')}`, 'See what each instance reports with `ticketctl health` (service-* rows) and its log with `ticketctl stack logs service-<n>`.', async () => {
    const statuses = await Promise.all(urls.map((u) => healthStatus(u)));
    const bad = urls.map((u, i) => [u, statuses[i]] as const).filter(([, s]) => s !== 200);
    if (bad.length) throw new Error(bad.map(([u, s]) => `${u} ${s ?? 'no answer'}`).join(', '));
    return true;
  });
}
