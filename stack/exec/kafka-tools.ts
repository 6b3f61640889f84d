import { execa } from 'execa';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpsError, errorMessage } from '../../lib/index.ts';

// Kafka's own Java command-line tools, run from the jars Maven fetched. Used only where
// kafkajs has no API (storage format, ElectLeaders, broker API versions, DescribeQuorum):
// each costs a JVM start, so they run with a small heap, the C1 compiler only and
// WARN-level logs.

export interface KafkaToolsEnv {
  java: string;
  libsDir: string;
  /** log4j 1 config for tools: WARN to stderr. */
  log4jConfig: string;
}

const TOOL_JVM = ['-Xmx256m', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Xshare:auto'];

async function runTool(env: KafkaToolsEnv, mainClass: string, args: string[], timeoutMs = 120_000): Promise<string> {
  try {
    const { stdout } = await execa(env.java, [...TOOL_JVM, `-Dlog4j.configuration=file:${env.log4jConfig}`, '-cp', path.join(env.libsDir, '*'), mainClass, ...args], { timeout: timeoutMs });
    return stdout;
  } catch (err) {
    const short = mainClass.split('.').pop();
    throw new OpsError(`Kafka tool ${short} failed: ${errorMessage(err).split('\n').slice(-4).join(' ')}`, {
      code: 'KAFKA_TOOL_FAILED',
      hint: 'Check that the brokers answer (`ticketctl stack status`) and read the broker logs with `ticketctl stack logs kafka-1`.',
      cause: err,
    });
  }
}

/** `kafka-storage format --ignore-formatted`: idempotent, so safe on every start. */
export function formatStorage(env: KafkaToolsEnv, propertiesFile: string, clusterId: string): Promise<string> {
  return runTool(env, 'kafka.tools.StorageTool', ['format', '-t', clusterId, '-c', propertiesFile, '--ignore-formatted']);
}

export interface ElectionTarget {
  /** All topic partitions when omitted. */
  partitions?: Array<{ topic: string; partition: number }>;
}

/** `kafka-leader-election --election-type preferred`. Returns the tool's report. */
export function electPreferredLeaders(env: KafkaToolsEnv, bootstrap: string, target: ElectionTarget = {}): Promise<string> {
  const args = ['--bootstrap-server', bootstrap, '--election-type', 'preferred'];
  if (!target.partitions) args.push('--all-topic-partitions');
  else if (target.partitions.length === 1) {
    const only = target.partitions[0]!;
    args.push('--topic', only.topic, '--partition', String(only.partition));
  } else {
    throw new OpsError('Electing leaders for several chosen partitions needs a JSON file; pass one partition or none (all).', { code: 'USAGE', exitCode: 2 });
  }
  return runTool(env, 'org.apache.kafka.tools.LeaderElectionCommand', args);
}

/** `kafka-broker-api-versions`: one line per reachable broker with its API ranges. */
export function brokerApiVersions(env: KafkaToolsEnv, bootstrap: string): Promise<string> {
  return runTool(env, 'kafka.admin.BrokerApiVersionsCommand', ['--bootstrap-server', bootstrap]);
}

/**
 * `kafka-leader-election --election-type preferred --path-to-json-file`: exactly these
 * partitions, however many (the tool takes a list only as a file).
 */
export async function electPreferredLeadersFor(env: KafkaToolsEnv, bootstrap: string, partitions: Array<{ topic: string; partition: number }>): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ticketctl-election-'));
  const file = path.join(dir, 'partitions.json');
  try {
    writeFileSync(file, JSON.stringify({ partitions }));
    return await runTool(env, 'org.apache.kafka.tools.LeaderElectionCommand', ['--bootstrap-server', bootstrap, '--election-type', 'preferred', '--path-to-json-file', file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `kafka-metadata-quorum describe --status`: the KRaft quorum's leader, epoch, voters and
 * lag. Its admin client gives up after `apiTimeoutMs` (Kafka's default is a minute).
 */
export async function describeQuorumStatus(env: KafkaToolsEnv, bootstrap: string, apiTimeoutMs = 10_000): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ticketctl-quorum-'));
  const config = path.join(dir, 'admin.properties');
  try {
    writeFileSync(config, `default.api.timeout.ms=${apiTimeoutMs}\nrequest.timeout.ms=${Math.min(5000, apiTimeoutMs)}\n`);
    return await runTool(env, 'org.apache.kafka.tools.MetadataQuorumCommand', ['--bootstrap-server', bootstrap, '--command-config', config, 'describe', '--status'], apiTimeoutMs + 30_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
