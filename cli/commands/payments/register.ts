import type { Command } from 'commander';
import type { Kit } from '../../shared/kit.ts';

// `ticketctl payments ...` (report 4.3.1): registered here, loaded lazily inside each action.
export function register(program: Command, kit: Kit): void {
  const g = kit.g;
  const payments = program.command('payments').description('payment runbooks (report 4.3.1): duplicate payments and orphan gateway charges');
  const window = (cmd: Command) =>
    cmd
      .option('--since <time>', 'window start: an ISO time or a duration back from now, e.g. 30m, 24h (default 1h)')
      .option('--until <time>', 'window end: an ISO time or a duration back from now (default now)');
  window(
    payments.command('duplicates').description('(user, seat) pairs with more than one SUCCESS payment, and gateway charges no successful payment accounts for; exit 1 when any').addOption(kit.output()),
  ).action(async (opts) => (await import('./duplicates.ts')).run(g(), opts));
  kit
    .mutating(
      window(
        payments
          .command('refund-duplicates')
          .description('refund each later duplicate through the gateway, mark it REFUNDED, record it in the event store; a rerun finds nothing')
          .option('--include-orphans', 'also refund the orphan charges (default: list them only)'),
      ),
    )
    .action(async (opts) => (await import('./refund-duplicates.ts')).run(g(), opts));
}
