import { resolveOutput } from '../../shared/ui.ts';
import { loadRunbook, runbookPath } from './catalog.ts';
import type { Globals } from '../../shared/globals.ts';

// `ticketctl runbook show <scenario>`: the steps and their commands without running
// anything (the non-interactive view; scripts get JSON).
export async function run(g: Globals, name: string, opts: { output?: string }): Promise<void> {
  const rb = loadRunbook(name);
  if (resolveOutput(opts.output, g.ui.isTty) === 'json') {
    return g.ui.json({
      scenario: name,
      title: rb.title,
      file: runbookPath(name),
      sections: Object.fromEntries(rb.sections),
      steps: rb.steps.map((s) => ({ number: s.number, kind: s.kind, title: s.title, commands: s.commands })),
    });
  }
  const { ui } = g;
  ui.out(ui.color.bold(rb.title));
  for (const heading of ['Symptoms', 'Alerts']) {
    ui.out(`\n${ui.color.bold(heading)}`);
    for (const l of rb.sections.get(heading) ?? []) ui.out(`  ${l}`);
  }
  for (const s of rb.steps) {
    ui.out(`\n${ui.color.bold(`${s.number}. ${s.kind === 'verify' ? 'Verify: ' : ''}${s.title}`)}`);
    for (const c of s.commands) ui.out(`   $ ${ui.color.cyan(c)}`);
  }
  ui.err(ui.color.dim(`\nFull text: ${runbookPath(name)}. Walk through it: ticketctl runbook run ${name}`));
}
