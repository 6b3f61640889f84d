import { DrillFormatError, drillNames, readDrill, SCENARIO_DIR, describeFault } from '../../../drills/index.ts';
import path from 'node:path';
import { createTopology } from '../../../contracts/index.ts';
import { ExitError } from '../../shared/exit-code.ts';
import { resolveOutput } from '../../shared/ui.ts';
import type { Globals } from '../../shared/globals.ts';

// `ticketctl drill list`: every drill file, validated. Proxy and process names do not
// depend on the port offset, so the default topology validates them.

export interface ListRow {
  name: string;
  report: string | null;
  title: string | null;
  faults: string[];
  invariants: string[];
  valid: boolean;
  error: string | null;
}

export async function run(g: Globals, opts: { output?: string; scenarios?: string }): Promise<void> {
  const t = createTopology();
  const dir = opts.scenarios ? path.resolve(opts.scenarios) : SCENARIO_DIR;
  const rows: ListRow[] = drillNames(dir).map((name) => {
    try {
      const d = readDrill(name, t, dir);
      return { name, report: d.report, title: d.title, faults: d.faults.map(describeFault), invariants: d.invariants, valid: true, error: null };
    } catch (err) {
      if (!(err instanceof DrillFormatError)) throw err;
      return { name, report: null, title: null, faults: [], invariants: [], valid: false, error: err.message };
    }
  });
  if (resolveOutput(opts.output, g.ui.isTty) === 'json') g.ui.json({ drills: rows });
  else
    g.ui.table(
      ['drill', 'report', 'title', 'faults'],
      rows.map((r) => [r.name, r.report ?? '-', r.valid ? r.title! : `INVALID: ${r.error}`, r.faults.join('; ')]),
    );
  const bad = rows.filter((r) => !r.valid);
  if (bad.length) throw new ExitError(3, `${bad.length} drill file(s) invalid: ${bad.map((r) => r.name).join(', ')}. \`ticketctl drill show <name>\` says which field.`);
}
