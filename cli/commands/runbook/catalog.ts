import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../../lib/index.ts';
import { parseRunbook, type Runbook } from './document.ts';
import { REPO_ROOT } from '../../../contracts/index.ts';

// The runbooks shipped in runbooks/: one Markdown file per failure scenario of the report.

export const RUNBOOKS_DIR = path.join(REPO_ROOT, 'runbooks');

/** Scenario names: the runbook files without `.md` (README.md is the index, not a scenario). */
export function scenarioNames(dir = RUNBOOKS_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.md') && f !== 'README.md')
    .map((f) => f.slice(0, -3))
    .sort();
}

export function runbookPath(name: string, dir = RUNBOOKS_DIR): string {
  return path.join(dir, `${name}.md`);
}

export function loadRunbook(name: string, dir = RUNBOOKS_DIR): Runbook {
  const names = scenarioNames(dir);
  if (!names.includes(name)) {
    const close = names.filter((n) => n.includes(name) || name.split('-').some((w) => w.length > 2 && n.includes(w)));
    throw new UsageError(`No runbook named "${name}".`, `${close.length ? `Did you mean: ${close.join(', ')}? ` : ''}All scenarios: ticketctl runbook list`);
  }
  return parseRunbook(readFileSync(runbookPath(name, dir), 'utf8'), `runbooks/${name}.md`);
}
