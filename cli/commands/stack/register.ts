import type { Command } from 'commander';
import type { Kit } from '../../shared/kit.ts';

// `ticketctl stack ...`: the local stack's processes (up, down, status, logs), registered
// here and loaded lazily inside each action.

export function register(program: Command, kit: Kit): void {
  const g = kit.g;
  const stack = program.command('stack').description('run the local stack: Kafka x3, Redis + Sentinel, MariaDB, Toxiproxy');
  stack
    .command('up')
    .description('provision (first time) and start every component; a no-op when all are up')
    .option('--only <names...>', 'start only these components (see `stack status`)')
    .action(async (opts) => void (await (await import('./up.ts')).run(g(), opts)));
  stack
    .command('down')
    .description('stop every component this stack started (by recorded PID); data is kept')
    .option('--only <names...>', 'stop only these components')
    .option('--dry-run', 'list what would be stopped and stop nothing')
    .action(async (opts) => (await import('./down.ts')).run(g(), opts));
  stack
    .command('status')
    .description('every component, its endpoint and whether it answers a real request; exit 1 when not healthy')
    .addOption(kit.output())
    .action(async (opts) => (await import('./status.ts')).run(g(), opts));
  stack
    .command('logs')
    .description("print a component's log")
    .argument('<component>', 'component name, e.g. kafka-1, redis-master, mariadb, toxiproxy')
    .option('-n, --lines <count>', 'how many lines from the end', '50')
    .option('-f, --follow', 'keep printing new lines until Ctrl-C')
    .action(async (component, opts) => (await import('./logs.ts')).run(g(), component, opts));
}
