import type { KafkaToolsEnv } from '../exec/kafka-tools.ts';
import type { StackPaths } from '../paths.ts';
import type { LaunchSpec } from '../supervisor/process.ts';
import type { Topology } from '../../contracts/index.ts';

/** Absolute paths of the programs the stack runs, resolved (and installed) by provisioning. */
export interface Tools {
  java: string;
  redisServer: string;
  redisSentinel: string;
  mariadbd: string;
  mariadbInstallDb: string;
  toxiproxyServer: string;
}

export interface StackContext {
  paths: StackPaths;
  topology: Topology;
}

export interface RunContext extends StackContext {
  tools: Tools;
  kafkaTools: KafkaToolsEnv;
}

export type Group = 'toxiproxy' | 'kafka' | 'redis' | 'sentinel' | 'mariadb' | 'gateway' | 'service';

/** What one real request to a component said. */
export interface ProbeResult {
  answers: boolean;
  detail: string;
}

/**
 * One supervised server process. `prepare` is idempotent (configs, first-time data-dir
 * set-up); `probe` makes a real protocol request to the process itself, and `probeProxy`
 * the same request through its Toxiproxy proxy, where clients actually connect.
 */
export interface Component {
  name: string;
  group: Group;
  /** Where clients connect (the proxy where there is one). */
  endpoint: string;
  /** Ports the process itself listens on, checked free before it starts. */
  ports: Array<{ port: number; purpose: string }>;
  prepare(ctx: RunContext): Promise<void>;
  launch(ctx: RunContext): LaunchSpec;
  probe(ctx: StackContext): Promise<ProbeResult>;
  probeProxy?(ctx: StackContext): Promise<ProbeResult>;
  /** Stricter than `probe` where answering is not yet serving (a replica still syncing). */
  ready?(ctx: StackContext): Promise<ProbeResult>;
  startTimeoutMs: number;
  stopTimeoutMs: number;
}
