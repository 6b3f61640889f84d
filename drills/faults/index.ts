import type { FaultSpec } from '../format/types.ts';
import { gatewayKnobs } from './gateway-knobs.ts';
import { poisonMessages } from './poison-messages.ts';
import { kill, pause } from './process.ts';
import { proxyDown } from './proxy-down.ts';
import { redisMasterCrash } from './redis-master-crash.ts';
import { toxic } from './toxic.ts';
import type { BlastRadius, FaultKind, Undo } from './types.ts';

// Every fault kind, by the `type` a drill file names. Adding a kind: a module with a
// FaultKind, one line here, and its type in drills/format (types.ts, validate.ts).

const KINDS: Record<FaultSpec['type'], FaultKind<any, any>> = {
  toxic,
  'proxy-down': proxyDown,
  kill,
  pause,
  'gateway-knobs': gatewayKnobs,
  'poison-messages': poisonMessages,
  'redis-master-crash': redisMasterCrash,
};

export function faultKind<S extends FaultSpec>(type: S['type']): FaultKind<S, Undo> {
  return KINDS[type] as FaultKind<S, Undo>;
}

export function describeFault(spec: FaultSpec): string {
  return faultKind(spec.type).describe(spec);
}

/** Union of what the faults touch, for the plan printed before a run. */
export function blastRadius(specs: FaultSpec[]): BlastRadius {
  const all = specs.map((s) => faultKind(s.type).blastRadius(s));
  const uniq = (xs: string[]) => [...new Set(xs)];
  return { proxies: uniq(all.flatMap((b) => b.proxies)), processes: uniq(all.flatMap((b) => b.processes)), other: uniq(all.flatMap((b) => b.other)) };
}
