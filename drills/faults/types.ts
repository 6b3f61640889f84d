import type { Kafka } from 'kafkajs';
import type { FieldReader } from '../../lib/index.ts';
import type { Platform, PlatformKind, StackContext } from '../../stack/index.ts';
import type { ToxiproxyApi } from '../../clients/index.ts';

/** type -> spec, one entry per kind file (augmented there, empty here). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- augmented by each fault kind file
export interface FaultSpecs {}

export type FaultType = keyof FaultSpecs;
/** A validated fault of a drill file: the union of every kind's spec. */
export type FaultSpec = FaultSpecs[FaultType];

// One fault kind = one file implementing this interface (drills/faults/<kind>.ts): how its
// drill-file spec is read and validated, and how the fault is applied, confirmed and
// reverted. The file registers the kind (registry.ts) and declares its spec type there.
// The runner never knows what a fault does; cleanup never needs the runner: everything
// revert() needs is the `undo` record, which is JSON and written to the fault log
// *before* apply() runs.

export interface FaultEnv {
  stack: StackContext;
  /** What runs the stack's processes: every kill, pause and restart goes through it. */
  platform: Platform;
  toxiproxy: ToxiproxyApi;
  /** The gateway's own port, not its proxy: knobs must be reachable while the proxy is cut. */
  gatewayUrl: string;
  /** A kafkajs client on the stack's brokers (poison messages). */
  kafka: () => Kafka;
  runId: string;
}

export interface BlastRadius {
  proxies: string[];
  processes: string[];
  other: string[];
}

/** What the stack offers: proxy and process names a fault may name. */
export interface DrillTargets {
  proxies: string[];
  processes: string[];
}

/** What a kind's read() gets: the reader (its errors name the drill file), where the spec sits (`faults[1]`), the stack's targets. */
export interface SpecContext {
  v: FieldReader;
  at: string;
  targets: DrillTargets;
}

/** What revert() needs; `type` picks the kind in cleanup. */
export type Undo = { type: FaultType } & Record<string, unknown>;

export interface FaultKind<S extends { type: string } = FaultSpec, U extends Undo = Undo> {
  type: S['type'];
  /** The keys the spec may have besides `type`; any other key is an error naming it. */
  keys: readonly string[];
  /** The platforms that can apply it (default: all); a drill with a fault its platform cannot apply is refused before anything runs. */
  platforms?: readonly PlatformKind[];
  /** Reads the spec's values from the drill file, defaults filled in; errors through `c.v` (`faults[0].proxy must be one of ...`). */
  read(fields: Record<string, unknown>, c: SpecContext): S;
  /** One line for plans and journals. */
  describe(spec: S): string;
  blastRadius(spec: S): BlastRadius;
  /** Reads what undoing will need (previous knobs, the PID record); changes nothing. */
  prepare(env: FaultEnv, spec: S, faultId: string): Promise<U>;
  apply(env: FaultEnv, spec: S, undo: U): Promise<void>;
  /** Proves the fault is in place (toxic listed, proxy disabled, process gone...); throws if not. Returns what it saw. */
  confirm(env: FaultEnv, spec: S, undo: U): Promise<string>;
  /** Idempotent: safe on a fault that was never applied, or already reverted. Returns what it did. */
  revert(env: FaultEnv, undo: U, signal?: AbortSignal): Promise<string>;
}

export class FaultNotInEffect extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultNotInEffect';
  }
}
