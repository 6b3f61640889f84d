import type { Command } from 'commander';
import type { Kit } from '../../shared/kit.ts';

// `ticketctl health`: one real request to every component, loaded lazily inside the action.

export function register(program: Command, kit: Kit): void {
  program
    .command('health')
    .description('check every component with a real request (brokers, quorum, ISR, Redis, Sentinel, MariaDB, Toxiproxy, gateway, services); exit 1 if any is DOWN')
    .addOption(kit.output())
    .action(async (opts) => (await import('./run.ts')).run(kit.g(), opts));
}
