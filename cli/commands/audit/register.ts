import type { Command } from 'commander';
import type { Kit } from '../../shared/kit.ts';

// `ticketctl audit verify`: the audit log's hash chain and runs that never recorded an
// outcome, loaded lazily inside the action.

export function register(program: Command, kit: Kit): void {
  const audit = program.command('audit').description('the audit log of mutating commands: verify its hash chain');
  audit
    .command('verify')
    .description('check that no audit record was edited, removed or reordered, and list runs that started but never recorded an outcome; exit 1 on either')
    .option('--file <path>', "the audit log to check (default: the context's, as mutating commands write it)")
    .addOption(kit.output())
    .action(async (opts) => (await import('./verify.ts')).run(kit.g(), opts));
}
