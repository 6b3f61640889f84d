import { Option, type Command } from 'commander';
import { int, type Kit } from '../../shared/kit.ts';
import { durationArg } from './duration.ts';

// `ticketctl locks ...` (report 2.0.1, stuck seat locks): registered here, loaded lazily
// inside each action.

const seatId = int('--seat', 1, Number.MAX_SAFE_INTEGER);
const seatIds = (raw: string, previous: number[] | undefined): number[] => [...(previous ?? []), seatId(raw)];

export function register(program: Command, kit: Kit): void {
  const g = kit.g;
  const locks = program.command('locks').description('seat locks in Redis (report 2.0.1): owner, real age, TTL; force-release stuck ones');
  locks
    .command('list')
    .description("every seat lock: owner (alive or gone), age, time left (none = never expires), the seat's live hold")
    .option('--older-than <duration>', 'only locks at least this old, e.g. 10s, 2m', durationArg('--older-than'))
    .option('--seat <id...>', 'only these seats', seatIds)
    .addOption(kit.output())
    .action(async (opts) => (await import('./list.ts')).run(g(), opts));
  kit
    .mutating(
      locks
        .command('release')
        .description('delete stuck seat locks: older than --older-than with the owner gone (or unknown owner, no TTL); compare-and-delete')
        .addOption(new Option('--older-than <duration>', 'release only locks at least this old').argParser(durationArg('--older-than')).default(10_000, '10s'))
        .option('--seat <id...>', 'only these seats', seatIds)
        .option('--force-owner-alive', "also release old locks whose owner instance still runs (the seat's database fence still protects the sale)"),
    )
    .action(async (opts) => (await import('./release.ts')).run(g(), opts));
}
