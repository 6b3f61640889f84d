import type { Progress } from '../../lib/index.ts';

// The platform layer (issue #11, item 4): one interface for everything that acts on the
// stack's processes, whatever runs them. A unit is a component by its stack name
// (kafka-2, redis-master, service-3...): the same names on every platform, so runbooks,
// drill files and logs never say which platform they ran on. docs/platforms.md maps each
// verb to each platform (and to Kubernetes, on paper).

export const PLATFORM_KINDS = ['local', 'compose'] as const;
export type PlatformKind = (typeof PLATFORM_KINDS)[number];

/**
 * Which process or container a verb acts on, as JSON (drill fault logs keep it, so a
 * cleanup in another process signals the same one): the recorded PID and start time of a
 * local process, or a container's id. Never found again by name.
 */
export type UnitRef = { platform: 'local'; name: string; pid: number; startTicks: number } | { platform: 'compose'; name: string; containerId: string };

export type UnitState = 'running' | 'paused' | 'stopped' | 'absent';

export interface UnitStatus {
  name: string;
  state: UnitState;
  /** The engine's healthcheck verdict where it has one (compose), else null. */
  health: 'healthy' | 'unhealthy' | 'starting' | null;
  ref: UnitRef | null;
  /** pid 123 / container 3f2a1b4c5d6e */
  label: string;
}

export interface VerbOptions {
  progress?: Progress;
  signal?: AbortSignal;
}

export interface LogOptions {
  lines: number;
  follow: boolean;
  signal: AbortSignal;
  write: (chunk: string) => void;
}

export interface Platform {
  kind: PlatformKind;
  /** For plans and errors: "local processes under /x/.stack", "compose project ticketing (Docker 20.10 at unix:///...)". */
  where: string;
  /** Throws a usage error (exit 2) when there is no such deployment at all (a compose project with no container); a no-op locally. */
  requireDeployed(): Promise<void>;
  /** The units this platform runs, in start order (service instances: as many as exist now). */
  names(): Promise<string[]>;
  status(names?: string[]): Promise<UnitStatus[]>;
  /** The live unit, or a FaultNotInEffect-style error naming how to start it. */
  target(name: string): Promise<UnitRef>;
  /**
   * Starts these units (creating what is missing) and waits until each answers or is
   * healthy. `createdTopics`: saga topics the start itself created (the local stack makes
   * missing ones once its brokers answer; compose leaves that to its kafka-init service).
   */
  start(names: string[], o?: VerbOptions): Promise<{ createdTopics: string[] }>;
  /** Stops them gracefully (SIGTERM, then SIGKILL after the unit's grace period); data stays. */
  stop(names: string[], o?: VerbOptions): Promise<void>;
  restart(name: string, o?: VerbOptions): Promise<void>;
  /** Sends a signal to the unit's main process (PID 1 of a container). */
  kill(ref: UnitRef, signal: NodeJS.Signals): Promise<void>;
  pause(ref: UnitRef): Promise<void>;
  resume(ref: UnitRef): Promise<void>;
  /** Whether the process or container a ref names still runs (paused counts as running). */
  isRunning(ref: UnitRef): Promise<boolean>;
  isPaused(ref: UnitRef): Promise<boolean>;
  /**
   * Restarts a unit with these environment settings on top of its own (`{}`: its own only)
   * and waits until it answers: a local process started again with them, a compose service
   * recreated from the compose file plus an override that sets them.
   */
  restartWithSettings(name: string, settings: Record<string, string>, o?: VerbOptions): Promise<void>;
  /** The values of these environment variables the running unit has (its process's or container's), or null when it does not run. */
  settingsOf(name: string, keys: string[]): Promise<Record<string, string> | null>;
  /** Runs service-1..count: starts the missing, stops those above count. */
  scaleServices(count: number, o?: VerbOptions): Promise<{ started: string[]; stopped: string[] }>;
  logs(name: string, o: LogOptions): Promise<void>;
  /** The node.id the broker in this unit carries in its log dir (meta.properties, written by Kafka's storage format), or null when unreadable. */
  brokerIdentity(name: string): Promise<number | null>;
  /** Archives these stopped brokers' data (folders or volumes) into one tar.gz; returns its size. */
  backupBrokerData(names: string[], file: string): Promise<number>;
  /** The grace a stop gives the unit, and how long a start may take, for plans. */
  timeouts(name: string): { stopMs: number; startMs: number };
}

/** How plans, journals and errors name a unit: "pid 123" or "container 3f2a1b4c5d6e". */
export const unitLabel = (ref: UnitRef): string => (ref.platform === 'local' ? `pid ${ref.pid}` : `container ${ref.containerId.slice(0, 12)}`);

/** The local process id behind a unit, for JSON keys that name it (null on other platforms or when not running). */
export const pidOf = (u: UnitStatus | undefined): number | null => (u?.ref?.platform === 'local' ? u.ref.pid : null);
