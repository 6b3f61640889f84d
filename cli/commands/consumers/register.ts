import { Argument, type Command } from 'commander';
import type { Kit } from '../../shared/kit.ts';

// `ticketctl consumers ...` (report 4.2, 2.2.1): registered here, loaded lazily inside each action.
export function register(program: Command, kit: Kit): void {
  const g = kit.g;
  const consumers = program.command('consumers').description('consumer runbooks (report 4.2): lag with Burrow-style verdicts, scale instances, emergency settings');
  consumers
    .command('lag')
    .description('lag per group, topic and partition, sampled over a window and judged OK/WARN/STALL/REWIND/STOP (Burrow); exit 1 when any is not OK')
    .option('--group <id>', "consumer group (default: the service's ticketing-consumer-group)")
    .option('--all-groups', 'every consumer group the cluster knows')
    .option('--topic <names...>', 'judge these topics (default: what the group subscribes to or has committed offsets for)')
    .option('--window <seconds>', 'how long to watch; 0 = one sample (only OK and STOP can be told then)', kit.int('--window', 0, 3600), 10)
    .option('--samples <n>', 'how many samples over the window', kit.int('--samples', 2, 100), 5)
    .addOption(kit.output())
    .action(async (opts) => (await import('./lag.ts')).run(g(), opts));
  kit
    .mutating(
      consumers
        .command('scale')
        .description('local stack only: start or stop service instances (highest-numbered first) and wait until the consumer group has that many members')
        .argument('<count>', 'service instances to run (1-9)', kit.int('count', 1, 9))
        .option('--timeout <seconds>', 'how long to wait for instances and the group rebalance', kit.int('--timeout', 1, 3600), 180),
    )
    .action(async (count, opts) => (await import('./scale.ts')).run(g(), count, opts));
  kit
    .mutating(
      consumers
        .command('profile')
        .description("switch every instance's saga consumer settings (report 4.2.2) and verify; each consumer restarts")
        .addArgument(new Argument('<profile>', 'emergency (maxWait 100 ms, session 10 s) or normal (500 ms, 30 s)').choices(['emergency', 'normal'])),
    )
    .action(async (profile, opts) => (await import('./profile.ts')).run(g(), profile, opts));
}
