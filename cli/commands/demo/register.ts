import type { Command } from 'commander';
import type { Kit } from '../../shared/kit.ts';

// `ticketctl demo`: the README's quick-start job, loaded lazily inside the action.

export function register(program: Command, kit: Kit): void {
  program
    .command('demo')
    .description('the quick-start job: bring the stack up and show its status')
    .action(async () => (await import('./run.ts')).run(kit.g()));
}
