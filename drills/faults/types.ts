import type { Kafka } from 'kafkajs';
import type { StackContext } from '../../stack/index.ts';
import type { FaultSpec } from '../format/types.ts';
import type { ToxiproxyApi } from '../../clients/index.ts';

// One fault kind = one small module implementing this interface (drills/faults/*.ts), and
// registered in index.ts. The runner never knows what a fault does; cleanup never needs the
// runner: everything revert() needs is the `undo` record, which is JSON and written to the
// fault log *before* apply() runs.

export interface FaultEnv {
  stack: StackContext;
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

/** What revert() needs; `type` picks the module in cleanup. */
export type Undo = { type: FaultSpec['type'] } & Record<string, unknown>;

export interface FaultKind<S extends FaultSpec = FaultSpec, U extends Undo = Undo> {
  type: S['type'];
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
