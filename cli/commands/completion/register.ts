import { Argument, type Command } from 'commander';
import type { Kit } from '../../shared/kit.ts';

// `ticketctl completion bash|zsh`: the script is generated from the program's own command
// tree, so it can never list a command that does not exist.

export function register(program: Command, kit: Kit): void {
  program
    .command('completion')
    .description('print a shell completion script (install: docs/ticketctl.md)')
    .addArgument(new Argument('<shell>', 'bash or zsh').choices(['bash', 'zsh']))
    .action(async (shell) => (await import('./run.ts')).run(kit.g(), shell, program));
}
