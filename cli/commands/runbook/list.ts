import { resolveOutput } from '../../shared/ui.ts';
import { loadRunbook, scenarioNames } from './catalog.ts';
import type { Globals } from '../../shared/globals.ts';

// `ticketctl runbook list`: every scenario, its title and first symptom line.
export async function run(g: Globals, opts: { output?: string }): Promise<void> {
  const rows = scenarioNames().map((name) => {
    const rb = loadRunbook(name);
    return { scenario: name, title: rb.title, steps: rb.steps.length, symptom: firstItem(rb.sections.get('Symptoms') ?? []) };
  });
  if (resolveOutput(opts.output, g.ui.isTty) === 'json') return g.ui.json({ runbooks: rows });
  g.ui.table(
    ['SCENARIO', 'TITLE', 'STEPS'],
    rows.map((r) => [r.scenario, r.title, String(r.steps)]),
  );
  g.ui.err(g.ui.color.dim('Walk one through: ticketctl runbook run <scenario>   (read it: runbooks/<scenario>.md)'));
}

/** The first bullet (or paragraph) of a section, its wrapped lines joined. */
function firstItem(lines: string[]): string {
  const out: string[] = [];
  for (const l of lines) {
    if (out.length && (l.trim() === '' || /^[-*]\s/.test(l))) break;
    if (l.trim()) out.push(l.trim().replace(/^[-*]\s*/, ''));
  }
  return out.join(' ');
}
