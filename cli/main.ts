import { Argument, Command } from 'commander';
import { kitFor, output } from './shared/kit.ts';
import { register as registerKafka } from './commands/kafka/register.ts';
import { register as registerConsumers } from './commands/consumers/register.ts';
import { register as registerPayments } from './commands/payments/register.ts';
import { register as registerEvents } from './commands/events/register.ts';
import { register as registerLocks } from './commands/locks/register.ts';
import { register as registerBreaker } from './commands/breaker/register.ts';
import { register as registerDrill } from './commands/drill/register.ts';
import { register as registerRunbook } from './commands/runbook/register.ts';
import { exitCodeFor } from './shared/exit-code.ts';
import { createUi, type Ui } from './shared/ui.ts';
import type { Context } from '../clients/context.ts';
import { tolerateKafkajsStrayRejections } from '../lib/kafkajs-strays.ts';

// ticketctl: the entry point. Only this file reads argv, installs signal handlers and
// decides the exit code. Command modules are imported lazily inside each action so that
// `ticketctl --help` never loads kafkajs, ioredis, mysql2 or inquirer (it must start in
// well under 200 ms; tests/cli/help-and-completion.test.ts measures it).

export interface Globals {
  ui: Ui;
  signal: AbortSignal;
  /** The command path as typed, e.g. "kafka elect-leaders" (audit log, messages). */
  command: string;
  /** Arguments after `ticketctl` (audit log, "run this next" hints). */
  argv: string[];
  env: NodeJS.ProcessEnv;
  /** The selected context (--context > TICKETCTL_CONTEXT > the file's default > local), resolved on first use. */
  context(): Promise<Context>;
}

export function buildProgram(getGlobals: () => Globals): Command {
  const program = new Command('ticketctl')
    .description('Operate the concert-ticketing stack: runbooks, health checks and chaos drills.')
    .version('0.1.0')
    .option('--no-color', 'disable colour (also off under NO_COLOR or when not a terminal)')
    .option('--context <name>', 'which systems to talk to (contexts: docs/ticketctl.md; default TICKETCTL_CONTEXT, then the config file, then local)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  const g = getGlobals;

  const stack = program.command('stack').description('run the local stack: Kafka x3, Redis + Sentinel, MariaDB, Toxiproxy');
  stack
    .command('up')
    .description('provision (first time) and start every component; a no-op when all are up')
    .option('--only <names...>', 'start only these components (see `stack status`)')
    .action(async (opts) => void (await (await import('./commands/stack/up.ts')).run(g(), opts)));
  stack
    .command('down')
    .description('stop every component this stack started (by recorded PID); data is kept')
    .option('--only <names...>', 'stop only these components')
    .option('--dry-run', 'list what would be stopped and stop nothing')
    .action(async (opts) => (await import('./commands/stack/down.ts')).run(g(), opts));
  stack
    .command('status')
    .description('every component, its endpoint and whether it answers a real request; exit 1 when not healthy')
    .addOption(output())
    .action(async (opts) => (await import('./commands/stack/status.ts')).run(g(), opts));
  stack
    .command('logs')
    .description("print a component's log")
    .argument('<component>', 'component name, e.g. kafka-1, redis-master, mariadb, toxiproxy')
    .option('-n, --lines <count>', 'how many lines from the end', '50')
    .option('-f, --follow', 'keep printing new lines until Ctrl-C')
    .action(async (component, opts) => (await import('./commands/stack/logs.ts')).run(g(), component, opts));

  program
    .command('seed')
    .description('add concerts and seats to the service database (report 1: the bookable inventory)')
    .option('--concerts <n>', 'how many concerts', '1')
    .option('--seats <n>', 'seats per concert', '100')
    .option('--price <amount>', 'price of every seat, in minor units', '50000')
    .option('--dry-run', 'say what would be added and add nothing')
    .addOption(output())
    .action(async (opts) => (await import('./commands/seed.ts')).run(g(), opts));

  program
    .command('health')
    .description('check every component with a real request (brokers, quorum, ISR, Redis, Sentinel, MariaDB, Toxiproxy, gateway, services); exit 1 if any is DOWN')
    .addOption(output())
    .action(async (opts) => (await import('./commands/health/index.ts')).run(g(), opts));

  // Each group registers its own commands (cli/commands/<group>/register.ts).
  const kit = kitFor(g);
  for (const register of [registerKafka, registerConsumers, registerPayments, registerEvents, registerLocks, registerBreaker, registerDrill, registerRunbook]) register(program, kit);

  program
    .command('completion')
    .description('print a shell completion script (install: docs/ticketctl.md)')
    .addArgument(new Argument('<shell>', 'bash or zsh').choices(['bash', 'zsh']))
    .action(async (shell) => (await import('./commands/completion.ts')).run(g(), shell, program));

  program
    .command('demo')
    .description('the quick-start job: bring the stack up and show its status')
    .action(async () => (await import('./commands/demo.ts')).run(g()));

  return program;
}

async function main(argv: string[]): Promise<number> {
  tolerateKafkajsStrayRejections();
  // `ticketctl ... | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
  });
  const abort = new AbortController();
  let ui = createUi({ noColor: argv.includes('--no-color'), signal: abort.signal });
  let interrupted = 0;
  const onSignal = () => {
    interrupted += 1;
    if (interrupted > 1) process.exit(130); // a second Ctrl-C means "now"
    ui.err('\nInterrupting: cleaning up what this command started (Ctrl-C again to force).');
    abort.abort(new DOMException('Interrupted', 'AbortError'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let command = '';
  let contextFlag: string | undefined;
  let context: Promise<Context> | undefined;
  const program = buildProgram(() => ({
    ui,
    signal: abort.signal,
    command,
    argv: argv.slice(2),
    env: process.env,
    context: () => (context ??= import('../clients/context.ts').then((m) => m.resolveContext({ flag: contextFlag, env: process.env }))),
  }));
  program.hook('preAction', (root, action) => {
    const opts = root.opts();
    ui = createUi({ noColor: opts.color === false, signal: abort.signal });
    contextFlag = opts.context;
    const names: string[] = [];
    for (let c: Command | null = action; c && c !== root; c = c.parent) names.unshift(c.name());
    command = names.join(' ');
  });
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    return exitCodeFor(err, ui);
  }
}

if (import.meta.main) {
  const code = await main(process.argv);
  process.exitCode = code;
  // A client library may leave a socket or timer behind; it must not keep the CLI alive.
  setTimeout(() => process.exit(code), 500).unref();
}
