import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../lib/index.ts';
import { allComponents } from '../../stack/index.ts';
import type { Topology } from '../../contracts/index.ts';
import type { Drill } from './types.ts';
import { DrillFormatError, validateDrill, type DrillTargets } from './validate.ts';

// Drill files live in drills/scenarios/, one `<name>.json` each; the file name is the
// drill's name. Every file is read and validated up front, so `drill run --all` refuses to
// start when any one of them is broken.

export const SCENARIO_DIR = path.join(import.meta.dirname, '..', 'scenarios');

/** Proxies and processes a drill may target on this topology (Toxiproxy itself is the instrument, never a target). */
export function drillTargets(t: Topology): DrillTargets {
  return {
    proxies: t.proxies.map((p) => p.name),
    processes: allComponents(t)
      .map((c) => c.name)
      .filter((n) => n !== 'toxiproxy'),
  };
}

export function drillNames(dir = SCENARIO_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

export function readDrill(name: string, t: Topology, dir = SCENARIO_DIR): Drill {
  const file = path.join(dir, `${name}.json`);
  const shown = path.relative(process.cwd(), file) || file;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UsageError(`There is no drill "${name}".`, `Drills: ${drillNames(dir).join(', ')}. See \`ticketctl drill list\`.`);
    }
    throw new DrillFormatError(shown, '(the whole file)', `is not valid JSON: ${(err as Error).message}.`);
  }
  const drill = validateDrill(raw, shown, drillTargets(t));
  if (drill.name !== name) throw new DrillFormatError(shown, 'name', `must match the file name "${name}" (got "${drill.name}").`);
  return drill;
}

/** The named drills (or all), every one validated before any runs. */
export function readDrills(names: string[], t: Topology, dir = SCENARIO_DIR): Drill[] {
  return (names.length ? names : drillNames(dir)).map((n) => readDrill(n, t, dir));
}
