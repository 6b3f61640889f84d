import type { PlatformKind } from '../../stack/index.ts';
import type { FieldReader } from '../../lib/index.ts';
import type { BlastRadius, DrillTargets, FaultKind, FaultSpec, FaultSpecs, FaultType, Undo } from './types.ts';

export type { FaultSpec, FaultSpecs, FaultType };

// The fault kinds, each registered by its own file (drills/faults/<kind>.ts calls
// registerFault at import; drills/faults/index.ts imports every kind file), in the manner
// of Toxiproxy's toxics/*.go. A kind file also declares its drill-file spec into
// FaultSpecs in types.ts (TypeScript declaration merging), so FaultSpec is the union of what the
// kinds declare and the compiler still narrows on `spec.type`:
//
//   declare module './types.ts' {
//     interface FaultSpecs { toxic: ToxicSpec }   // key = the spec's `type`
//   }

type Registry = { [T in FaultType]?: FaultKind<FaultSpecs[T]> };
const registry: Registry = {};
/** Registration order: the order `<at>.type must be one of ...` lists them in. */
const order: FaultType[] = [];

/** Called once by each kind file, at import; returns the kind (tests drive it directly). */
export function registerFault<S extends FaultSpec, U extends Undo>(kind: FaultKind<S, U>): FaultKind<S, U> {
  const type: FaultType = kind.type;
  if (registry[type]) throw new Error(`fault kind ${type} is registered twice`);
  // Kept under the registry's common types: the kind's spec S is the one its `type`
  // declares in FaultSpecs, and its undo record U is written by its own prepare() and read
  // back only by its own revert() (cleanup picks the kind by the logged spec's type).
  (registry as Record<FaultType, FaultKind<S, U>>)[type] = kind;
  order.push(type);
  return kind;
}

export function faultTypes(): readonly FaultType[] {
  return order;
}

export function faultKind<T extends FaultType>(type: T): FaultKind<FaultSpecs[T]> {
  const kind = registry[type];
  if (!kind) throw new Error(`no fault kind "${type}" is registered (is its file imported in drills/faults/index.ts?)`);
  return kind;
}

/**
 * Reads one fault of a drill file (`at` = `faults[1]`): its `type` must name a registered
 * kind, its other keys those the kind declares, and the kind reads their values.
 */
export function readFaultSpec(v: FieldReader, raw: unknown, at: string, targets: DrillTargets): FaultSpec {
  const type = v.oneOf(v.object(raw, at).type, `${at}.type`, faultTypes());
  const kind = faultKind(type);
  return kind.read(v.object(raw, at, ['type', ...kind.keys]), { v, at, targets });
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

/** The fault types among these that the platform cannot apply (FaultKind.platforms). */
export function unsupportedOn(platform: PlatformKind, specs: FaultSpec[]): FaultType[] {
  return [...new Set(specs.map((s) => s.type))].filter((type) => {
    const allowed = faultKind(type).platforms;
    return allowed !== undefined && !allowed.includes(platform);
  });
}
