import { Command } from 'commander';
import { kitFor, type Kit } from './shared/kit.ts';
import type { Globals } from './shared/globals.ts';
import { register as registerStack } from './commands/stack/register.ts';
import { register as registerSeed } from './commands/seed/register.ts';
import { register as registerHealth } from './commands/health/register.ts';
import { register as registerKafka } from './commands/kafka/register.ts';
import { register as registerConsumers } from './commands/consumers/register.ts';
import { register as registerPayments } from './commands/payments/register.ts';
import { register as registerEvents } from './commands/events/register.ts';
import { register as registerLocks } from './commands/locks/register.ts';
import { register as registerBreaker } from './commands/breaker/register.ts';
import { register as registerDrill } from './commands/drill/register.ts';
import { register as registerRunbook } from './commands/runbook/register.ts';
import { register as registerCompletion } from './commands/completion/register.ts';
import { register as registerDemo } from './commands/demo/register.ts';
import { register as registerAudit } from './commands/audit/register.ts';
import { register as registerContext } from './commands/context/register.ts';
import { exitCodeFor } from './shared/exit-code.ts';
import { createUi } from './shared/ui.ts';
import type { Context } from '../clients/index.ts';
import { tolerateKafkajsStrayRejections } from '../lib/index.ts';

// ticketctl: the entry point. Only this file reads argv, installs signal handlers and
// decides the exit code. Command modules are imported lazily inside each action so that
// `ticketctl --help` never loads kafkajs, ioredis, mysql2 or inquirer (it must start in
// well under 200 ms; tests/cli/help-and-completion.test.ts measures it).

const FAMILIES: Array<(program: Command, kit: Kit) => void> = [
  registerStack,
  registerSeed,
  registerHealth,
  registerKafka,
  registerConsumers,
  registerPayments,
  registerEvents,
  registerLocks,
  registerBreaker,
  registerDrill,
  registerRunbook,
  registerAudit,
  registerContext,
  registerCompletion,
  registerDemo,
];

export function buildProgram(getGlobals: () => Globals): Command {
  const program = new Command('ticketctl')
    .description('Operate the concert-ticketing stack: runbooks, health checks and chaos drills.')
    .version('0.1.0')
    .option('--no-color', 'disable colour (also off under NO_COLOR or when not a terminal)')
    .option('--context <name>', 'which systems to talk to (contexts: docs/ticketctl.md; default TICKETCTL_CONTEXT, then the config file, then local)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  // Every command family registers itself the same way (cli/commands/<family>/register.ts),
  // in the order `--help` lists them.
  const kit = kitFor(getGlobals);
  for (const register of FAMILIES) register(program, kit);

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
    context: () => (context ??= import('../clients/index.ts').then((m) => m.resolveContext({ flag: contextFlag, env: process.env }))),
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
