import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatStorage } from '../exec/kafka-tools.ts';
import { describeClusterVia } from '../probes/kafka.ts';
import { probeWithin } from '../probes/result.ts';
import type { BrokerId, Topology } from '../../contracts/index.ts';
import type { Component, RunContext, StackContext } from './types.ts';

// Apache Kafka 3.9.1, three brokers in combined KRaft mode (broker + controller, static
// voters). Each has three listeners: CLIENT (advertised as its Toxiproxy proxy, so every
// client byte can be faulted), INTERNAL (replication, unproxied) and CONTROLLER (quorum).

export const KAFKA_VERSION = '3.9.1';

/** Heap for a 2-core machine running three brokers: about 1 GB resident each. */
const BROKER_JVM = ['-Xms512m', '-Xmx768m', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-XX:+ExitOnOutOfMemoryError', '-Djava.awt.headless=true'];

function brokerProperties(t: Topology, id: BrokerId, logDir: string): string {
  const b = t.kafka.brokers.find((x) => x.id === id)!;
  const props: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': id,
    'controller.quorum.voters': t.kafka.controllerQuorumVoters,
    listeners: `CLIENT://${t.host}:${b.client},INTERNAL://${t.host}:${b.internal},CONTROLLER://${t.host}:${b.controller}`,
    'advertised.listeners': `CLIENT://${t.host}:${b.clientProxy},INTERNAL://${t.host}:${b.internal}`,
    'listener.security.protocol.map': 'CLIENT:PLAINTEXT,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name': 'INTERNAL',
    'controller.listener.names': 'CONTROLLER',
    'log.dirs': logDir,
    // Report 2.0.2: RF 3, min ISR 2, everywhere (internal topics too).
    'num.partitions': 3,
    'default.replication.factor': 3,
    'min.insync.replicas': 2,
    'offsets.topic.replication.factor': 3,
    'transaction.state.log.replication.factor': 3,
    'transaction.state.log.min.isr': 2,
    'offsets.topic.num.partitions': 6,
    'transaction.state.log.num.partitions': 6,
    'unclean.leader.election.enable': false,
    'auto.create.topics.enable': false,
    // Leadership after a broker returns is the runbook's job (report 4.1.1: preferred
    // leader election), so the cluster must not quietly do it on its own.
    'auto.leader.rebalance.enable': false,
    'group.initial.rebalance.delay.ms': 0,
    // Small-machine sizing: two cores for three brokers.
    'num.network.threads': 2,
    'num.io.threads': 2,
    'num.recovery.threads.per.data.dir': 1,
    'log.cleaner.threads': 1,
  };
  return `${Object.entries(props)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n`;
}

// One copy of the broker's and the tools' log4j settings, shared with the kafka image.
const log4jFile = (name: string) => readFileSync(new URL(`../../images/kafka/${name}`, import.meta.url), 'utf8');
const BROKER_LOG4J = log4jFile('log4j.properties');
export const TOOLS_LOG4J = log4jFile('tools-log4j.properties');

/**
 * The cluster id, created once per stack folder. Same format as `kafka-storage random-uuid`
 * (16 random bytes, URL-safe base64 without padding), made here to save a JVM start.
 */
export function clusterId(ctx: StackContext): string {
  const file = ctx.paths.confFile('kafka-cluster-id');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  let id: string;
  do id = randomBytes(16).toString('base64url');
  while (id.startsWith('-')); // Kafka's Uuid avoids ids a CLI would read as a flag
  mkdirSync(ctx.paths.conf, { recursive: true });
  writeFileSync(file, `${id}\n`);
  return id;
}

export function writeKafkaLogConfigs(ctx: StackContext): void {
  mkdirSync(ctx.paths.conf, { recursive: true });
  writeFileSync(ctx.paths.confFile('kafka-log4j.properties'), BROKER_LOG4J);
  writeFileSync(ctx.paths.confFile('tools-log4j.properties'), TOOLS_LOG4J);
}

export function createKafkaBrokerComponent(t: Topology, id: BrokerId): Component {
  const b = t.kafka.brokers.find((x) => x.id === id)!;
  const name = `kafka-${id}`;
  const propsFile = (ctx: StackContext) => ctx.paths.confFile(`${name}.properties`);
  return {
    name,
    group: 'kafka',
    endpoint: `${t.host}:${b.clientProxy}`,
    ports: [
      { port: b.client, purpose: `${name} client listener` },
      { port: b.internal, purpose: `${name} replication listener` },
      { port: b.controller, purpose: `${name} controller listener` },
    ],
    async prepare(ctx: RunContext) {
      const logDir = ctx.paths.dataDir(name);
      mkdirSync(logDir, { recursive: true });
      writeKafkaLogConfigs(ctx);
      writeFileSync(propsFile(ctx), brokerProperties(t, id, logDir));
      // Formatting costs a JVM start: skip it when the log dir already carries its identity.
      if (!existsSync(path.join(logDir, 'meta.properties'))) await formatStorage(ctx.kafkaTools, propsFile(ctx), clusterId(ctx));
    },
    launch(ctx) {
      return {
        file: ctx.tools.java,
        args: [
          ...BROKER_JVM,
          `-Dlog4j.configuration=file:${ctx.paths.confFile('kafka-log4j.properties')}`,
          `-Dkafka.logs.dir=${path.join(ctx.paths.logs, name)}`,
          '-cp',
          path.join(ctx.paths.kafkaLibs, '*'),
          'kafka.Kafka',
          propsFile(ctx),
        ],
      };
    },
    // Direct to the broker's own client listener, then through its proxy: a broker answers
    // when it returns metadata that includes itself (it has registered with the quorum).
    probe: () => probeWithin(5000, () => brokerSelfCheck(`${t.host}:${b.client}`, id)),
    probeProxy: () => probeWithin(5000, () => brokerSelfCheck(`${t.host}:${b.clientProxy}`, id)),
    startTimeoutMs: 120_000,
    stopTimeoutMs: 45_000,
  };
}

async function brokerSelfCheck(address: string, id: number): Promise<string> {
  const view = await describeClusterVia(address);
  if (!view.brokers.some((x) => x.nodeId === id)) throw new Error(`broker ${id} is not registered yet (cluster lists ${view.brokers.map((x) => x.nodeId).join(',') || 'none'})`);
  return `${view.brokers.length} broker(s) live`;
}
