import type { Command } from 'commander';
import type { Kit } from '../../shared/kit.ts';

// `ticketctl context list | show | use`: which contexts exist, what one resolves to (every
// endpoint, and where each secret comes from, never a secret), and the default one.

export function register(program: Command, kit: Kit): void {
  const context = program.command('context').description('the named contexts of the config file: list them, show one resolved (secrets by source only), choose the default');
  context
    .command('list')
    .description('every context (built-in and from the config file), which one is selected, and what kind it is')
    .addOption(kit.output())
    .action(async (opts) => (await import('./list.ts')).run(kit.g(), opts));
  context
    .command('show')
    .description("a context resolved: its endpoints, platform, accounts and where each secret comes from (never the secret's value)")
    .argument('[name]', 'the context (default: the selected one)')
    .addOption(kit.output())
    .action(async (name, opts) => (await import('./show.ts')).run(kit.g(), name, opts));
  context
    .command('use')
    .description("make a context the default (the config file's defaultContext; TICKETCTL_CONTEXT and --context still win)")
    .argument('<name>', 'the context')
    .action(async (name) => (await import('./use.ts')).run(kit.g(), name));
}
