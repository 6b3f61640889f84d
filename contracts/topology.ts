// The one place that names every process of the local stack and the ports it uses.
//
// Every client byte goes through Toxiproxy so a drill can cut, slow or reset it: clients
// are given the *proxy* ports, and each Kafka broker advertises its proxy port on the
// client listener while replicating over an unproxied internal listener
// (Shopify/toxiproxy#171: Kafka clients switch to advertised addresses after bootstrap).
//
// All ports sit below 32768 so they never collide with the kernel's ephemeral range
// (32768-60999). `portOffset` shifts every port at once, so a second stack (or a test of
// the start-up checks) can live beside the first.

export const BROKER_IDS = [1, 2, 3] as const;
export type BrokerId = (typeof BROKER_IDS)[number];

export const SENTINEL_IDS = [1, 2, 3] as const;
export type SentinelId = (typeof SENTINEL_IDS)[number];

/** Sentinel's name for the monitored master group. */
export const REDIS_MASTER_NAME = 'ticketing';

export const DEFAULT_PORTS = {
  toxiproxyApi: 18474,
  // Kafka broker n uses base + n.
  kafkaClientProxy: 19090, // what clients (and the advertised listener) use
  kafkaClient: 19190, // the broker's real client listener, upstream of the proxy
  kafkaInternal: 19290, // replication between brokers, unproxied
  kafkaController: 19390, // KRaft quorum, unproxied; never give it to a client
  redisMaster: 16379,
  redisMasterProxy: 16380,
  redisReplica: 16381,
  redisReplicaProxy: 16382,
  sentinel: 16480, // sentinel n uses base + n
  mariadb: 13306,
  mariadbProxy: 13307,
  gateway: 18080, // the payment gateway stand-in (service/gateway)
  gatewayProxy: 18081,
  service: 3000, // service instance n uses base + n (report 4.2.1: 3001-3003)
} as const;

/** A service instance's admin listener is its public port plus this (3101 for 3001). */
export const ADMIN_PORT_OFFSET = 100;

/** Service instances `stack up` starts (report 4.2.1); `ticketctl` can scale this. */
export const DEFAULT_SERVICE_INSTANCES = 3;
export const MAX_SERVICE_INSTANCES = 9;

export interface ProxySpec {
  name: string;
  listen: number;
  upstream: number;
}

export interface Topology {
  host: '127.0.0.1';
  portOffset: number;
  toxiproxyApi: number;
  kafka: {
    brokers: Array<{ id: BrokerId; client: number; clientProxy: number; internal: number; controller: number }>;
    /** Bootstrap list for every client: the proxies. */
    bootstrap: string[];
    controllerQuorumVoters: string;
  };
  redis: { master: number; masterProxy: number; replica: number; replicaProxy: number; sentinels: Array<{ id: SentinelId; port: number }> };
  mariadb: { port: number; proxy: number };
  gateway: { port: number; proxy: number };
  /** Port of service instance n (1-based). */
  servicePort(this: void, n: number): number;
  /** Instance n's admin listener (operator switches, bearer token; loopback). */
  serviceAdminPort(this: void, n: number): number;
  proxies: ProxySpec[];
}

export function createTopology({ portOffset = 0 }: { portOffset?: number } = {}): Topology {
  if (!Number.isInteger(portOffset) || portOffset < 0 || DEFAULT_PORTS.kafkaController + 3 + portOffset > 32767) {
    throw new RangeError(`portOffset ${portOffset} must be an integer >= 0 that keeps every port below 32768`);
  }
  const p = (port: number) => port + portOffset;
  const host = '127.0.0.1' as const;

  const brokers = BROKER_IDS.map((id) => ({
    id,
    client: p(DEFAULT_PORTS.kafkaClient + id),
    clientProxy: p(DEFAULT_PORTS.kafkaClientProxy + id),
    internal: p(DEFAULT_PORTS.kafkaInternal + id),
    controller: p(DEFAULT_PORTS.kafkaController + id),
  }));
  const redis = {
    master: p(DEFAULT_PORTS.redisMaster),
    masterProxy: p(DEFAULT_PORTS.redisMasterProxy),
    replica: p(DEFAULT_PORTS.redisReplica),
    replicaProxy: p(DEFAULT_PORTS.redisReplicaProxy),
    sentinels: SENTINEL_IDS.map((id) => ({ id, port: p(DEFAULT_PORTS.sentinel + id) })),
  };
  const mariadb = { port: p(DEFAULT_PORTS.mariadb), proxy: p(DEFAULT_PORTS.mariadbProxy) };
  const gateway = { port: p(DEFAULT_PORTS.gateway), proxy: p(DEFAULT_PORTS.gatewayProxy) };

  const proxies: ProxySpec[] = [
    ...brokers.map((b) => ({ name: `kafka-${b.id}`, listen: b.clientProxy, upstream: b.client })),
    { name: 'redis-master', listen: redis.masterProxy, upstream: redis.master },
    { name: 'redis-replica', listen: redis.replicaProxy, upstream: redis.replica },
    { name: 'mariadb', listen: mariadb.proxy, upstream: mariadb.port },
    { name: 'gateway', listen: gateway.proxy, upstream: gateway.port },
  ];

  return {
    host,
    portOffset,
    toxiproxyApi: p(DEFAULT_PORTS.toxiproxyApi),
    kafka: {
      brokers,
      bootstrap: brokers.map((b) => `${host}:${b.clientProxy}`),
      controllerQuorumVoters: brokers.map((b) => `${b.id}@${host}:${b.controller}`).join(','),
    },
    redis,
    mariadb,
    gateway,
    servicePort: (n) => p(DEFAULT_PORTS.service + n),
    serviceAdminPort: (n) => p(DEFAULT_PORTS.service + n) + ADMIN_PORT_OFFSET,
    proxies,
  };
}

/** Proxy name for a Redis node's real port, used to map Sentinel's answers onto proxies. */
export function redisNatMap(t: Topology): Record<string, { host: string; port: number }> {
  return {
    [`${t.host}:${t.redis.master}`]: { host: t.host, port: t.redis.masterProxy },
    [`${t.host}:${t.redis.replica}`]: { host: t.host, port: t.redis.replicaProxy },
  };
}
