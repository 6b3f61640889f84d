import { Command, Option } from 'commander';
import { exitCodeFor } from './errors.ts';
import { createUi, type Ui } from './ui.ts';
import { tolerateKafkajsStrayRejections } from '../lib/kafkajs-strays.ts';

// ticketctl: the entry point. Only this file reads argv, installs signal handlers and
// decides the exit code. Command modules are imported lazily inside each action so that
// `ticketctl --help` never loads kafkajs, ioredis or mysql2.

export interface Globals {
  ui: Ui;
  signal: AbortSignal;
}

function build(getGlobals: () => Globals): Command {
  const program = new Command('ticketctl')
    .description('Operate the concert-ticketing stack: runbooks, health checks and chaos drills.')
    .version('0.1.0')
    .option('--no-color', 'disable colour (also off under NO_COLOR or when not a terminal)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  const output = () => new Option('-o, --output <format>', 'table or json (default: table on a terminal, json otherwise)').choices(['table', 'json']);

  const stack = program.command('stack').description('run the local stack: Kafka x3, Redis + Sentinel, MariaDB, Toxiproxy');
  stack
    .command('up')
    .description('provision (first time) and start every component; a no-op when all are up')
    .option('--only <names...>', 'start only these components (see `stack status`)')
    .action(async (opts) => void (await (await import('./commands/stack/up.ts')).run(getGlobals(), opts)));
  stack
    .command('down')
    .description('stop every component this stack started (by recorded PID); data is kept')
    .option('--only <names...>', 'stop only these components')
    .option('--dry-run', 'list what would be stopped and stop nothing')
    .action(async (opts) => (await import('./commands/stack/down.ts')).run(getGlobals(), opts));
  stack
    .command('status')
    .description('every component, its endpoint and whether it answers a real request; exit 1 when not healthy')
    .addOption(output())
    .action(async (opts) => (await import('./commands/stack/status.ts')).run(getGlobals(), opts));
  stack
    .command('logs')
    .description("print a component's log")
    .argument('<component>', 'component name, e.g. kafka-1, redis-master, mariadb, toxiproxy')
    .option('-n, --lines <count>', 'how many lines from the end', '50')
    .option('-f, --follow', 'keep printing new lines until Ctrl-C')
    .action(async (component, opts) => (await import('./commands/stack/logs.ts')).run(getGlobals(), component, opts));

  program
    .command('seed')
    .description('add concerts and seats to the service database (report 1: the bookable inventory)')
    .option('--concerts <n>', 'how many concerts', '1')
    .option('--seats <n>', 'seats per concert', '100')
    .option('--price <amount>', 'price of every seat, in minor units', '50000')
    .option('--dry-run', 'say what would be added and add nothing')
    .addOption(output())
    .action(async (opts) => (await import('./commands/seed.ts')).run(getGlobals(), opts));

  program
    .command('demo')
    .description('the quick-start job: bring the stack up and show its status')
    .action(async () => (await import('./commands/demo.ts')).run(getGlobals()));

  return program;
}

async function main(argv: string[]): Promise<number> {
  tolerateKafkajsStrayRejections();
  // `ticketctl ... | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
  });
  const abort = new AbortController();
  let ui = createUi({ noColor: argv.includes('--no-color') });
  let interrupted = 0;
  const onSignal = () => {
    interrupted += 1;
    if (interrupted > 1) process.exit(130); // a second Ctrl-C means "now"
    ui.err('\nInterrupting: cleaning up what this command started (Ctrl-C again to force).');
    abort.abort(new DOMException('Interrupted', 'AbortError'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const program = build(() => ({ ui, signal: abort.signal }));
  program.hook('preAction', (cmd) => {
    ui = createUi({ noColor: cmd.optsWithGlobals().color === false });
  });
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    return exitCodeFor(err, ui);
  }
}

const code = await main(process.argv);
process.exitCode = code;
// A client library may leave a socket or timer behind; it must not keep the CLI alive.
setTimeout(() => process.exit(code), 500).unref();
