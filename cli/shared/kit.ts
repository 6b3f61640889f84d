import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Globals } from './globals.ts';

// What every command group's register.ts shares: the common options and argument parsers.
// Register modules import only commander and this file, and load their command modules
// lazily inside each action, so `ticketctl --help` never pulls in a client library.

export interface Kit {
  /** The globals of the command being run (UI, signal, context...). */
  g: () => Globals;
  /** `-o, --output table|json` for reading commands. */
  output: () => Option;
  /** Adds --dry-run, --yes, --confirm-context and --output to a mutating command. */
  mutating: (cmd: Command) => Command;
  /** A whole-number argument parser with bounds, e.g. int('--timeout', 1, 3600). */
  int: (name: string, min: number, max: number) => (raw: string) => number;
}

export const int = (name: string, min: number, max: number) => (raw: string) => {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}.`);
  return n;
};

export const output = () => new Option('-o, --output <format>', 'table or json (default: table on a terminal, json otherwise)').choices(['table', 'json']);

export const mutating = (cmd: Command) =>
  cmd
    .option('--dry-run', 'print the exact plan and change nothing')
    .option('-y, --yes', 'apply without asking (review --dry-run first)')
    .option('--confirm-context <name>', "a protected context's name, typed back without a terminal")
    .addOption(output());

export const kitFor = (g: () => Globals): Kit => ({ g, output, mutating, int });
