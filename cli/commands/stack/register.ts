import type { Command } from 'commander';
import type { Kit } from '../../shared/kit.ts';

// `ticketctl stack ...`: the local stack's processes (up, down, status, logs), registered
// here and loaded lazily inside each action.

export function register(program: Command, kit: Kit): void {
  const g = kit.g;
  const stack = program.command('stack').description('run the stack (Kafka x3, Redis + Sentinel, MariaDB, Toxiproxy, gateway, service) as local processes or a compose deployment');
  const platform = '--platform <kind>';
  const platformHelp = "local processes or the compose deployment (default: the context's platform)";
  stack
    .command('up')
    .description('provision (first time) and start every component, waiting until each answers (compose: every healthcheck); a no-op when all are up')
    .option('--only <names...>', 'start only these components (see `stack status`)')
    .option(platform, platformHelp)
    .option('--base <auto|registry|local>', 'compose: the Debian base for images that must be built (default auto)')
    .option('--build-ca <file|none>', "compose: the CA bundle image builds trust (default: this machine's system bundle)")
    .action(async (opts) => void (await (await import('./up.ts')).run(g(), opts)));
  stack
    .command('down')
    .description('stop every component this stack started (by recorded PID); data is kept')
    .option('--only <names...>', 'stop only these components')
    .option('--dry-run', 'list what would be stopped and stop nothing')
    .option(platform, platformHelp)
    .action(async (opts) => (await import('./down.ts')).run(g(), opts));
  stack
    .command('status')
    .description('every component, its endpoint and whether it answers a real request; exit 1 when not healthy')
    .addOption(kit.output())
    .option(platform, platformHelp)
    .action(async (opts) => (await import('./status.ts')).run(g(), opts));
  stack
    .command('logs')
    .description("print a component's log")
    .argument('<component>', 'component name, e.g. kafka-1, redis-master, mariadb, toxiproxy')
    .option('-n, --lines <count>', 'how many lines from the end', '50')
    .option('-f, --follow', 'keep printing new lines until Ctrl-C')
    .option(platform, platformHelp)
    .action(async (component, opts) => (await import('./logs.ts')).run(g(), component, opts));
  stack
    .command('credentials')
    .description("where each of the stack's secrets is, what uses it and how a client presents it; values only with --show")
    .option('--show <name>', "print that credential's value (alone, for a pipe), and record that in the audit log")
    .addOption(kit.output())
    .action(async (opts) => (await import('./credentials.ts')).run(g(), opts));
  const images = stack.command('images').description("the compose deployment's container images (images/<name>/Dockerfile)");
  images
    .command('build')
    .description('build every image docker-compose.yml names, with BuildKit layer caching and progress')
    .option('--base <auto|registry|local>', 'the Debian base: auto (pulled if a registry answers, else made here), registry (debian:bookworm-slim) or local (debootstrap)', 'auto')
    .option('--build-ca <file|none>', "the CA bundle the builds trust, as a BuildKit secret (default: this machine's system bundle)")
    .option('--no-cache', 'rebuild every layer')
    .action(async (opts) => (await import('./images.ts')).run(g(), opts));
}
