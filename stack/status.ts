import { errorMessage, httpGet } from '../lib/index.ts';
import { ALL_TOPICS, DEFAULT_SERVICE_INSTANCES, TOPIC_LAYOUT } from '../contracts/index.ts';
import type { UnitStatus } from './platforms/types.ts';
import { allComponents } from './components/index.ts';
import type { Group, StackContext } from './components/types.ts';
import { stackKafka } from './kafka-topics.ts';
import { readServiceInstances } from './service-instances.ts';
import { runningRecord } from './supervisor/managed.ts';
import { isProcessStopped, processRssBytes } from './supervisor/proc.ts';

// `stack status`: every component, where clients reach it, and whether it answers a real
// request both directly and through its proxy. The JSON shape is documented in
// docs/stack.md; keys are stable.

export type ComponentState = 'up' | 'unresponsive' | 'paused' | 'down';

export interface ComponentStatus {
  name: string;
  group: Group;
  state: ComponentState;
  managed: boolean;
  /** Who runs it: "pid 123" (local) or "container 3f2a1b4c5d6e" (compose); "-" when nothing does. */
  unit: string;
  pid: number | null;
  endpoint: string;
  answers: boolean;
  viaProxy: boolean | null;
  detail: string;
  rssBytes: number | null;
}

export interface TopicStatus {
  name: string;
  partitions: number;
  replicationFactor: number;
  underReplicated: number;
  offline: number;
}

export interface StackStatus {
  stackDir: string;
  healthy: boolean;
  groups: Record<Group, 'up' | 'degraded' | 'down'>;
  components: ComponentStatus[];
  kafka: { brokersLive: number; brokersExpected: number; topics: TopicStatus[]; missingTopics: string[]; error: string | null };
  proxies: Array<{ name: string; listen: string; upstream: string; enabled: boolean; toxics: string[] }>;
  memory: { rssBytes: number };
}

/**
 * `units`: what another platform (compose) says of each component's container; without
 * it the local supervisor's PID records are asked. The probes are the same either way.
 */
export async function stackStatus(ctx: StackContext, units?: UnitStatus[]): Promise<StackStatus> {
  const instances = units ? units.filter((u) => u.name.startsWith('service-') && u.state !== 'absent').length || DEFAULT_SERVICE_INSTANCES : readServiceInstances(ctx.paths);
  const comps = allComponents(ctx.topology, instances);
  const [components, kafka, proxies] = await Promise.all([
    Promise.all(
      comps.map(async (c): Promise<ComponentStatus> => {
        const unit = units?.find((u) => u.name === c.name);
        const rec = units ? undefined : runningRecord(ctx.paths, c);
        const managed = unit ? unit.state !== 'absent' : rec !== undefined;
        const [probed, proxied] = await Promise.all([c.probe(ctx), c.probeProxy ? c.probeProxy(ctx) : Promise.resolve(undefined)]);
        // Some direct probes reach what only the host has (MariaDB's root socket, the
        // gateway's loopback port); in a container the engine's healthcheck asks from inside.
        const direct = !probed.answers && unit?.health === 'healthy' ? { answers: true, detail: `container healthcheck passes (from here: ${probed.detail})` } : probed;
        const paused = unit ? unit.state === 'paused' : rec !== undefined && isProcessStopped(rec.pid);
        const state: ComponentState = paused ? 'paused' : direct.answers ? 'up' : managed ? 'unresponsive' : 'down';
        return {
          name: c.name,
          group: c.group,
          state,
          managed,
          unit: unit?.label ?? (rec ? `pid ${rec.pid}` : '-'),
          pid: rec?.pid ?? null,
          endpoint: c.endpoint,
          answers: direct.answers,
          viaProxy: proxied ? proxied.answers : null,
          detail: proxied && !proxied.answers ? `${direct.detail}; via proxy: ${proxied.detail}` : direct.detail,
          rssBytes: rec ? (processRssBytes(rec.pid) ?? null) : null,
        };
      }),
    ),
    kafkaStatus(ctx),
    proxyStatus(ctx),
  ]);

  const groups = {} as StackStatus['groups'];
  for (const g of ['toxiproxy', 'kafka', 'redis', 'sentinel', 'mariadb', 'gateway', 'service'] as const) {
    const members = components.filter((c) => c.group === g);
    const up = members.filter((c) => c.state === 'up').length;
    groups[g] = up === members.length ? 'up' : up === 0 ? 'down' : 'degraded';
  }
  const healthy = Object.values(groups).every((s) => s === 'up') && kafka.missingTopics.length === 0 && kafka.brokersLive === kafka.brokersExpected;
  const rssBytes = components.reduce((sum, c) => sum + (c.rssBytes ?? 0), 0);
  return { stackDir: ctx.paths.root, healthy, groups, components, kafka, proxies, memory: { rssBytes } };
}

async function kafkaStatus(ctx: StackContext): Promise<StackStatus['kafka']> {
  const brokersExpected = ctx.topology.kafka.brokers.length;
  const admin = stackKafka(ctx.topology, 'ticketctl-status', true);
  const client = admin.admin();
  const timeout = setTimeout(() => void client.disconnect(), 8000);
  try {
    await client.connect();
    const cluster = await client.describeCluster();
    const names = await client.listTopics();
    const ours = ALL_TOPICS.filter((n) => names.includes(n));
    const meta = ours.length ? await client.fetchTopicMetadata({ topics: ours }) : { topics: [] };
    const live = new Set(cluster.brokers.map((b) => b.nodeId));
    return {
      brokersLive: cluster.brokers.length,
      brokersExpected,
      missingTopics: ALL_TOPICS.filter((n) => !names.includes(n)),
      topics: [...meta.topics]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((topic) => ({
          name: topic.name,
          partitions: topic.partitions.length,
          replicationFactor: topic.partitions[0]?.replicas.length ?? 0,
          underReplicated: topic.partitions.filter((p) => p.isr.length < (p.replicas.length || TOPIC_LAYOUT.replicationFactor)).length,
          offline: topic.partitions.filter((p) => p.leader < 0 || !live.has(p.leader)).length,
        })),
      error: null,
    };
  } catch (err) {
    return { brokersLive: 0, brokersExpected, topics: [], missingTopics: [...ALL_TOPICS], error: errorMessage(err) };
  } finally {
    clearTimeout(timeout);
    await client.disconnect().catch(() => {});
  }
}

async function proxyStatus(ctx: StackContext): Promise<StackStatus['proxies']> {
  try {
    const res = await httpGet(`http://${ctx.topology.host}:${ctx.topology.toxiproxyApi}/proxies`, 3000);
    const body = res.body as Record<string, { name: string; listen: string; upstream: string; enabled: boolean; toxics: Array<{ name: string }> }>;
    return Object.values(body)
      .map((p) => ({ name: p.name, listen: p.listen, upstream: p.upstream, enabled: p.enabled, toxics: p.toxics.map((x) => x.name) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  } catch {
    return [];
  }
}
