import type { Command } from 'commander';
import type { Kit } from '../../kit.ts';

// `ticketctl events ...` (report 4.3.2): reprocess failed payments, and the dead letter queue
// under `events dlq`. Registered here, loaded lazily inside each action.
export function register(program: Command, kit: Kit): void {
  const g = kit.g;
  const events = program.command('events').description('event runbooks (report 4.3.2): reprocess failed payments; the dead letter queue (events dlq)');
  kit.mutating(
    events
      .command('reprocess')
      .description('reset FAILED payments created in a window to PENDING and publish payment.try again; wait until each is final and report it')
      .option('--since <time>', 'window start: an ISO time or a duration back from now, e.g. 30m, 2h (required unless --payment)')
      .option('--until <time>', 'window end (default now)')
      .option('--status <list>', 'payment statuses to reprocess, comma-separated (only FAILED can be)', 'FAILED')
      .option('--payment <id...>', 'only these payments (paymentTxId)')
      .option('--reason <text>', 'only payments whose failure reason contains this text, e.g. "Circuit breaker open"')
      .option('--again', 'also payments reprocessed before (each round uses a new gateway key)')
      .option('--timeout <seconds>', 'how long to wait for every payment to be final', kit.int('--timeout', 1, 3600), 120)
      .option('--limit <n>', 'at most this many payments per run', kit.int('--limit', 1, 10_000), 500),
  ).action(async (opts) => (await import('./reprocess.ts')).run(g(), opts));
}
