import path from 'node:path';
import { UsageError } from '../../../lib/index.ts';
import { ExitError } from '../../shared/exit-code.ts';
import { loadRunbook, runbookPath } from './catalog.ts';
import { fillPlaceholders, placeholders, shellWords, type RunbookStep } from './document.ts';
import { runTicketctl } from '../../../clients/index.ts';
import type { Globals } from '../../shared/globals.ts';

// `ticketctl runbook run <scenario>`: walks an on-call engineer through one scenario of the
// report, step by step: what the step is for, the command it proposes, run / skip / quit,
// the command's result, and at the end whether the "Verify recovery" checks passed.
//
// Each command runs as its own ticketctl process on the same terminal, so a mutating
// step keeps its own dry-run/confirmation prompt and audit record: the walk adds guidance,
// never a way around the safety of the command it runs.

interface Ran {
  step: RunbookStep;
  command: string;
  exitCode: number | 'skipped';
}

export async function run(g: Globals, name: string): Promise<void> {
  const { ui } = g;
  const rb = loadRunbook(name);
  if (!ui.canPrompt) {
    throw new UsageError(
      '`ticketctl runbook run` is interactive and needs a terminal.',
      `Read the steps without one: ticketctl runbook show ${name} (or ${path.relative(process.cwd(), runbookPath(name)) || runbookPath(name)}).`,
    );
  }
  const globalFlags = g.argv.slice(0, Math.max(0, g.argv.indexOf('runbook')));
  const c = await g.context();

  ui.out(ui.color.bold(`Runbook: ${rb.title}`) + ui.color.dim(`  (context ${c.name}; ${rb.steps.length} steps; file ${runbookPath(name)})`));
  for (const l of rb.sections.get('Symptoms') ?? []) ui.out(ui.color.dim(`  ${l}`));
  ui.out(ui.color.dim('At each command: Enter or r = run it, s = skip, q = quit. Mutating commands still ask for their own confirmation.'));

  const ran: Ran[] = [];
  const values: Record<string, string> = {};
  walk: for (const step of rb.steps) {
    ui.out(`\n${ui.color.bold(`Step ${step.number}/${rb.steps.length}${step.kind === 'verify' ? ' (verify)' : ''}: ${step.title}`)}`);
    for (const l of step.text) ui.out(`  ${l}`);
    for (const template of step.commands) {
      // A value given once (e.g. the broker id) holds for the rest of the walk.
      for (const p of placeholders(template).filter((name) => values[name] === undefined)) {
        const answer = (await ui.ask(`Value for <${p}> in: ${template}`)).trim();
        if (answer) values[p] = answer;
        else throw new UsageError(`No value given for <${p}>.`, `Run the runbook again and give <${p}>, or run the step by hand: ${template}`);
      }
      const command = fillPlaceholders(template, values);
      const choice = (await ui.ask(`$ ${command}   run? [r]un / [s]kip / [q]uit`)).trim().toLowerCase();
      if (choice === 'q' || choice === 'quit') {
        ui.out(ui.color.yellow('Stopped by the operator.'));
        break walk;
      }
      if (choice === 's' || choice === 'skip') {
        ran.push({ step, command, exitCode: 'skipped' });
        continue;
      }
      if (choice !== '' && choice !== 'r' && choice !== 'run') {
        ui.out(ui.color.yellow(`"${choice}" is not r, s or q: skipping this command.`));
        ran.push({ step, command, exitCode: 'skipped' });
        continue;
      }
      const exitCode = await runOnTerminal([...globalFlags, ...shellWords(command).slice(1)], g.signal);
      ran.push({ step, command, exitCode });
      ui.out(describeExit(ui, exitCode));
    }
  }

  ui.out(`\n${ui.color.bold('Summary')}`);
  ui.table(
    ['STEP', 'COMMAND', 'RESULT'],
    ran.map((r) => [`${r.step.number}${r.step.kind === 'verify' ? ' (verify)' : ''}`, r.command, r.exitCode === 'skipped' ? 'skipped' : `exit ${r.exitCode}`]),
  );
  const verify = ran.filter((r) => r.step.kind === 'verify');
  const expected = rb.steps.filter((s) => s.kind === 'verify').reduce((n, s) => n + s.commands.length, 0);
  const passed = verify.filter((r) => r.exitCode === 0).length;
  if (passed === expected) {
    ui.out(ui.color.green(`Recovery verified: all ${expected} check(s) of "Verify recovery" passed.`));
    return;
  }
  throw new ExitError(1, `Recovery not verified: ${passed} of ${expected} check(s) of "Verify recovery" passed. Re-run the failing checks, or walk the runbook again: ticketctl runbook run ${name}`);
}

async function runOnTerminal(args: string[], signal: AbortSignal): Promise<number> {
  return (await runTicketctl(args, { stdio: 'inherit', signal })).exitCode;
}

function describeExit(ui: Globals['ui'], code: number): string {
  if (code === 0) return ui.color.green('→ exit 0: ok');
  if (code === 1) return ui.color.red('→ exit 1: problem found or the command failed — read its output; the runbook text says what it means');
  if (code === 2) return ui.color.yellow('→ exit 2: refused or a usage error — nothing was changed');
  return ui.color.red(`→ exit ${code}`);
}
