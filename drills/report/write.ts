import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DrillJournal } from './journal.ts';
import { renderJunit } from './junit.ts';
import { summaryLines } from './summary.ts';

// A run's reports, in one folder per run under the reports dir (default
// `<stack dir>/reports/`): `<drill>.json` (the journal) per drill, `junit.xml` for CI,
// `summary.txt` for people. Rewritten after every drill, so a run cut short still leaves
// what it finished.

export interface ReportFiles {
  dir: string;
  junit: string;
  summary: string;
  journals: string[];
}

export function writeReports(reportsDir: string, runId: string, journals: DrillJournal[]): ReportFiles {
  const dir = path.join(reportsDir, `drill-run-${runId}`);
  mkdirSync(dir, { recursive: true });
  const files = journals.map((j) => {
    const f = path.join(dir, `${j.drill}.json`);
    writeFileSync(f, `${JSON.stringify(j, null, 2)}\n`);
    return f;
  });
  const junit = path.join(dir, 'junit.xml');
  writeFileSync(junit, renderJunit(journals));
  const summary = path.join(dir, 'summary.txt');
  writeFileSync(summary, `${journals.flatMap((j) => [...summaryLines(j), '']).join('\n')}\n`);
  return { dir, junit, summary, journals: files };
}
