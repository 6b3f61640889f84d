import type { Command } from 'commander';
import type { Kit } from '../../shared/kit.ts';

// `ticketctl seed`: bookable inventory (report 1), loaded lazily inside the action.

export function register(program: Command, kit: Kit): void {
  program
    .command('seed')
    .description('add concerts and seats to the service database (report 1: the bookable inventory)')
    .option('--concerts <n>', 'how many concerts', '1')
    .option('--seats <n>', 'seats per concert', '100')
    .option('--price <amount>', 'price of every seat, in minor units', '50000')
    .option('--dry-run', 'say what would be added and add nothing')
    .addOption(kit.output())
    .action(async (opts) => (await import('./run.ts')).run(kit.g(), opts));
}
