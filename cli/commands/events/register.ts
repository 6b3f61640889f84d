import type { Command } from 'commander';
import type { Kit } from '../../shared/kit.ts';

// `ticketctl events ...` (report 4.3.2): reprocess failed payments, and the dead letter queue
// under `events dlq`. Registered here, loaded lazily inside each action.
export function register(program: Command, kit: Kit): void {
  const g = kit.g;
  const events = program.command('events').description('event runbooks (report 4.3.2): reprocess failed payments; the dead letter queue (events dlq)');
  kit
    .mutating(
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
    )
    .action(async (opts) => (await import('./reprocess.ts')).run(g(), opts));

  const dlq = events.command('dlq').description('the dead letter queue payment.dlq: list, inspect, replay to the original topic');
  const filters = (cmd: Command) =>
    cmd
      .option('--topic <name>', 'only dead letters from this original topic, e.g. payment.try')
      .option('--since <time>', 'only dead letters written since: an ISO time or a duration, e.g. 30m')
      .option('--error <text>', 'only dead letters whose error contains this text (any case)')
      .option('--key <key>', 'only dead letters with this message key (the paymentTxId)')
      .option('--limit <n>', 'at most this many, oldest first', kit.int('--limit', 1, 100_000), 100);
  filters(dlq.command('list').description('dead letters with their original topic/partition/offset, error, attempts and whether replayed').addOption(kit.output())).action(async (opts) =>
    (await import('./dlq-list.ts')).run(g(), opts),
  );
  dlq
    .command('inspect')
    .description('one dead letter in full: headers, origin, error, attempts, payload pretty-printed')
    .argument('<position>', '<partition>:<offset>, the ID column of `events dlq list`')
    .addOption(kit.output())
    .action(async (position, opts) => (await import('./dlq-inspect.ts')).run(g(), position, opts));
  kit
    .mutating(filters(dlq.command('replay').description('republish the selected dead letters to their original topics; recorded, so a second replay of the same selection does nothing')))
    .action(async (opts) => (await import('./dlq-replay.ts')).run(g(), opts));
}
