import { Argument, type Command } from 'commander';
import type { Kit } from '../../shared/kit.ts';

// `ticketctl breaker ...` (report 2.2.2, 5): registered here, loaded lazily inside each action.
export function register(program: Command, kit: Kit): void {
  const g = kit.g;
  const breaker = program.command('breaker').description('the payment gateway circuit breaker and retry mode of every service instance (report 2.2.2)');
  breaker
    .command('status')
    .description("each instance's breaker state and failures, retry mode and consumer profile; exit 1 when an instance does not answer")
    .addOption(kit.output())
    .action(async (opts) => (await import('./status.ts')).run(g(), opts));
  kit
    .mutating(
      breaker
        .command('retry-mode')
        .description('switch emergency retry mode on every instance (report 2.2.2: at most 1 retry instead of 3) and verify')
        .addArgument(new Argument('<mode>', 'emergency or normal').choices(['emergency', 'normal'])),
    )
    .action(async (mode, opts) => (await import('./retry-mode.ts')).run(g(), mode, opts));
  kit
    .mutating(breaker.command('reset').description("close every instance's breaker and clear its failure window (after the gateway recovered)"))
    .action(async (opts) => (await import('./action.ts')).run(g(), 'reset', opts));
  kit
    .mutating(breaker.command('open').description("force every instance's breaker open: charges are refused until `breaker reset` (pause payments)"))
    .action(async (opts) => (await import('./action.ts')).run(g(), 'open', opts));
}
