import { BROKER_IDS, DEFAULT_SERVICE_INSTANCES, MAX_SERVICE_INSTANCES, SENTINEL_IDS, type Topology } from '../../contracts/index.ts';
import { createGatewayComponent } from './gateway.ts';
import { createServiceComponent } from './service.ts';
import { createKafkaBrokerComponent } from './kafka.ts';
import { createMariadbComponent } from './mariadb.ts';
import { createRedisComponent } from './redis.ts';
import { createSentinelComponent } from './sentinel.ts';
import { createToxiproxyComponent } from './toxiproxy.ts';
import type { Component } from './types.ts';

/**
 * Start order, as waves started in parallel. Toxiproxy first (brokers are probed through
 * their proxies); the brokers together (a KRaft quorum needs two voters to answer); the
 * replica after its master; Sentinels once there is a master to monitor; then the
 * payment gateway (needs MariaDB) and last the service instances (need everything).
 * `down` walks the waves backwards.
 */
export function componentWaves(t: Topology, serviceInstances = DEFAULT_SERVICE_INSTANCES): Component[][] {
  return [
    [createToxiproxyComponent(t)],
    [createMariadbComponent(t), createRedisComponent(t, 'master'), ...BROKER_IDS.map((id) => createKafkaBrokerComponent(t, id))],
    [createRedisComponent(t, 'replica')],
    SENTINEL_IDS.map((id) => createSentinelComponent(t, id)),
    [createGatewayComponent(t)],
    Array.from({ length: serviceInstances }, (_, i) => createServiceComponent(t, i + 1)),
  ];
}

/** The stack's count of service instances lives in its folder (stack/service-instances.ts). */
export function allComponents(t: Topology, serviceInstances = DEFAULT_SERVICE_INSTANCES): Component[] {
  return componentWaves(t, serviceInstances).flat();
}

/** Any component this topology can have, every possible service instance included. */
export function findComponent(t: Topology, name: string): Component | undefined {
  return allComponents(t, MAX_SERVICE_INSTANCES).find((c) => c.name === name);
}
