import type { Command } from 'commander';
import type { Kit } from '../../shared/kit.ts';

// `ticketctl kafka ...` (report 4.1): registered here, loaded lazily inside each action.
export function register(program: Command, kit: Kit): void {
  const g = kit.g;
  const kafka = program.command('kafka').description('Kafka runbooks (report 4.1): brokers, topics, leader election, broker restart, whole-cluster recovery');
  kafka
    .command('brokers')
    .description('each broker: id, endpoint, reachable, API versions (BrokerApiVersionsCommand); exit 1 when one is unreachable')
    .addOption(kit.output())
    .action(async (opts) => (await import('./brokers.ts')).run(g(), opts));
  kafka
    .command('describe')
    .description("a topic's partitions: leader, replicas, ISR, under-replicated, preferred leader; exit 1 when unhealthy")
    .argument('<topic>', 'topic name, e.g. payment.success')
    .addOption(kit.output())
    .action(async (topic, opts) => (await import('./describe.ts')).run(g(), topic, opts));
  kit
    .mutating(
      kafka
        .command('elect-leaders')
        .description('preferred leader election (LeaderElectionCommand) for partitions not led by their preferred replica; verifies afterwards')
        .option('--topic <name>', 'only this topic (default: every topic)')
        .option('--partition <n>', 'only this partition of --topic', kit.int('--partition', 0, 100_000)),
    )
    .action(async (opts) => (await import('./elect-leaders.ts')).run(g(), opts));
  kit
    .mutating(
      kafka
        .command('restart-broker')
        .description('local stack only: stop one broker cleanly (SIGTERM), start it, wait until it is back in every ISR')
        .argument('<id>', 'broker id (1-3)', kit.int('broker id', 0, 1_000_000))
        .option('--timeout <seconds>', 'how long to wait for the broker to rejoin every ISR', kit.int('--timeout', 1, 3600), 180),
    )
    .action(async (id, opts) => (await import('./restart-broker.ts')).run(g(), id, opts));
  kit
    .mutating(
      kafka
        .command('recover-cluster')
        .description('local stack only, whole cluster (report 4.1.2): stop every broker, optional backup, start, recreate missing topics, wait until whole')
        .option('--backup', "archive the brokers' data folders (tar.gz under the stack folder) while they are stopped")
        .option('--timeout <seconds>', 'deadline for the waits after the start (quorum, ISR, leaders, service /health)', kit.int('--timeout', 1, 3600), 300),
    )
    .action(async (opts) => (await import('./recover-cluster.ts')).run(g(), opts));
}
