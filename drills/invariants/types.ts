import type { Admin, Kafka } from 'kafkajs';
import type { Pool } from 'mysql2/promise';
import type { Drill, InvariantName } from '../format/types.ts';
import type { OpResult } from '../load/run.ts';

// An invariant is checked from a system of record (MariaDB's seats, holds and payments;
// the gateway's ledger; Redis; the DLQ topic), never from the service's own answers, and
// only over what this run created (its fresh seats, its accepted payments, its poison
// messages), so drills and other traffic never blame each other.

export interface RunScope {
  runId: string;
  drill: Drill;
  concertId: number;
  seatIds: number[];
  load: OpResult[];
  /** paymentTxIds the service answered 202 for. */
  accepted: string[];
  /** Keys of the poison messages this run produced. */
  poisonKeys: string[];
  /** payment.dlq high watermarks per partition before the fault. */
  dlqStart: Array<{ partition: number; offset: string }>;
}

export interface InvariantEnv {
  db: Pool;
  gatewayDb: Pool;
  /** "host:port" of the Redis master as Sentinel names it now. */
  redisMaster: () => Promise<string>;
  kafka: () => Kafka;
  admin: () => Promise<Admin>;
  signal?: AbortSignal;
}

export type Verdict = 'pass' | 'fail' | 'unknown';

export interface InvariantOutcome {
  status: Verdict;
  summary: string;
  /** The rows that break it (at most 50), straight from the system of record. */
  offending: unknown[];
}

export interface InvariantResult extends InvariantOutcome {
  name: InvariantName;
  ms: number;
}

export interface Invariant {
  name: InvariantName;
  /** before-heal: checked while the fault is still on; after-recovery: once recovered and drained. */
  phase: 'before-heal' | 'after-recovery';
  /** What it promises, one line (journal, JUnit). */
  promise: string;
  check(env: InvariantEnv, scope: RunScope): Promise<InvariantOutcome>;
}

export const pass = (summary: string): InvariantOutcome => ({ status: 'pass', summary, offending: [] });
export const fail = (summary: string, offending: unknown[]): InvariantOutcome => ({ status: 'fail', summary, offending: offending.slice(0, 50) });
