import type { LoadSpec } from '../format/types.ts';
import { createPrng } from './prng.ts';

// The load a drill runs, planned up front from the seed alone (pure: unit-tested for
// determinism). Seats are picked at random from the drill's fresh seats; each picked seat
// gets `contenders` hold attempts by different users, at random times in the window, on
// random instances; a share of them go on to pay. Payment ids are chosen when the
// payment is sent (they must be new on every run), so they are not part of the plan.

export interface PlannedOp {
  i: number;
  /** Index into the drill's seeded seats. */
  seat: number;
  userId: string;
  /** 0-based service instance. */
  instance: number;
  /** Offset from the load's start. */
  atMs: number;
  pay: boolean;
}

export function planLoad(spec: LoadSpec, seed: number, instances: number): PlannedOp[] {
  const rnd = createPrng(seed);
  const seatsUsed = Math.ceil(spec.operations / spec.contenders);
  const seats = rnd.shuffle(Array.from({ length: spec.seats }, (_, i) => i)).slice(0, seatsUsed);
  const raw: Array<Omit<PlannedOp, 'i'>> = [];
  for (const seat of seats) {
    for (let c = 0; c < spec.contenders && raw.length < spec.operations; c++) {
      raw.push({ seat, userId: `drill-${seed}-${seat}-${c}`, instance: rnd.int(instances), atMs: Math.round(rnd.next() * spec.durationMs), pay: rnd.next() < spec.payRatio });
    }
  }
  return raw.sort((a, b) => a.atMs - b.atMs || a.seat - b.seat).map((op, i) => ({ i, ...op }));
}
