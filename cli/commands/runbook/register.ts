import type { Command } from 'commander';
import type { Kit } from '../../shared/kit.ts';

// `ticketctl runbook ...`: the runbooks/ documents, listed, shown, or walked through.
export function register(program: Command, kit: Kit): void {
  const g = kit.g;
  const runbook = program.command('runbook').description('the incident runbooks (runbooks/*.md): list, show, or walk through one interactively');
  runbook
    .command('list')
    .description('every scenario with its title and number of steps')
    .addOption(kit.output())
    .action(async (opts) => (await import('./list.ts')).run(g(), opts));
  runbook
    .command('show')
    .description('the symptoms, alerts and steps of one scenario with their commands; runs nothing')
    .argument('<scenario>', 'scenario name (ticketctl runbook list)')
    .addOption(kit.output())
    .action(async (name, opts) => (await import('./show.ts')).run(g(), name, opts));
  runbook
    .command('run')
    .description('walk through one scenario on a terminal: diagnose, propose the next command, confirm, run, verify; exit 1 if recovery is not verified')
    .argument('<scenario>', 'scenario name (ticketctl runbook list)')
    .action(async (name) => (await import('./walk.ts')).run(g(), name));
}
