import type { Command } from 'commander';
import type { Kit } from '../../shared/kit.ts';

// `ticketctl payments ...` (report 4.3.1): registered here, loaded lazily inside each action.
export function register(program: Command, kit: Kit): void {
  const g = kit.g;
  const payments = program.command('payments').description("payment runbooks (report 4.3.1): duplicate payments and orphan gateway charges; an operator's cancel");
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
  kit
    .mutating(
      payments
        .command('cancel <paymentTxId>')
        .description("cancel one SUCCESS payment on the customer's behalf (no hold secret needed): the saga refunds it and puts the seat back; waits until it is CANCELLED")
        .requiredOption('--reason <text>', 'why, kept in the event store and the audit log (e.g. a support ticket)')
        .option('--timeout <seconds>', 'how long to wait for the saga to cancel it', kit.int('--timeout', 1, 3600), 60),
    )
    .action(async (paymentTxId, opts) => (await import('./cancel.ts')).run(g(), paymentTxId, opts));
}
