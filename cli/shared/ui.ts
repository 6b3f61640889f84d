import { Chalk, type ChalkInstance } from 'chalk';
import type { Progress } from '../../lib/index.ts';

// Everything that touches the terminal: colour, tables, progress, prompts. Commands print
// through here so `--no-color`, NO_COLOR and non-TTY output behave the same everywhere.

export type OutputFormat = 'table' | 'json';

export interface Ui {
  color: ChalkInstance;
  /** stdout is a terminal. */
  isTty: boolean;
  out(line?: string): void;
  err(line?: string): void;
  progress: Progress;
  table(columns: string[], rows: string[][]): void;
  json(value: unknown): void;
  /** stdin is a terminal, so a prompt can be answered. */
  canPrompt: boolean;
  /** Yes/no question on the terminal (default no). */
  confirm(message: string): Promise<boolean>;
  /** Free-text answer on the terminal (for typing a context name back). */
  ask(message: string): Promise<string>;
}

export interface UiOptions {
  noColor?: boolean;
  env?: NodeJS.ProcessEnv;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  /** Aborts an open prompt (SIGINT/SIGTERM from outside the terminal). */
  signal?: AbortSignal;
}

/** chalk alone ignores NO_COLOR; colour is on only for a TTY without NO_COLOR or --no-color. */
export function colourEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv, noColor: boolean): boolean {
  if (noColor) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

export function createUi(options: UiOptions = {}): Ui {
  const env = options.env ?? process.env;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const stdin = options.stdin ?? process.stdin;
  const color = new Chalk({ level: colourEnabled(stdout, env, options.noColor ?? false) ? 1 : 0 });
  const errColor = new Chalk({ level: colourEnabled(stderr, env, options.noColor ?? false) ? 1 : 0 });
  const out = (line = '') => void stdout.write(`${line}\n`);
  const err = (line = '') => void stderr.write(`${line}\n`);
  const mode = stderr.isTTY ? 'spinner' : env.TICKETCTL_PROGRESS === 'plain' ? 'plain' : 'off';
  return {
    color,
    isTty: Boolean(stdout.isTTY),
    out,
    err,
    progress: createProgress(mode, stderr, errColor),
    table: (columns, rows) => renderTable(columns, rows).forEach((l, i) => out(i === 0 ? color.bold(l) : l)),
    json: (value) => out(JSON.stringify(value, null, 2)),
    canPrompt: Boolean(stdin.isTTY),
    // Prompts draw on stderr so stdout stays the command's output (a table or JSON).
    // @inquirer/prompts loads only when a question is asked, never for --help.
    confirm: async (message) => (await import('@inquirer/prompts')).confirm({ message, default: false }, { input: stdin, output: stderr, signal: options.signal }),
    ask: async (message) => (await import('@inquirer/prompts')).input({ message }, { input: stdin, output: stderr, signal: options.signal }),
  };
}

/** Pads columns to their widest cell, measuring without ANSI colour codes. */
export function renderTable(columns: string[], rows: string[][]): string[] {
  const visible = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').length;
  const widths = columns.map((c, i) => Math.max(visible(c), ...rows.map((r) => visible(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === cells.length - 1 ? cell : cell + ' '.repeat(widths[i]! - visible(cell)))).join('  ').trimEnd();
  return [line(columns), ...rows.map(line)];
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

function createProgress(mode: 'spinner' | 'plain' | 'off', stream: NodeJS.WriteStream, c: ChalkInstance): Progress {
  const secs = (t0: number) => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
  return {
    info: (message) => {
      if (mode !== 'off') stream.write(`${c.dim(message)}\n`);
    },
    async step(title, fn, describe) {
      if (mode === 'off') return fn();
      const t0 = Date.now();
      let timer: NodeJS.Timeout | undefined;
      if (mode === 'spinner') {
        let i = 0;
        const draw = () => stream.write(`\r\x1b[2K${c.cyan(FRAMES[i++ % FRAMES.length])} ${title} ${c.dim(secs(t0))}`);
        draw();
        timer = setInterval(draw, 100);
      } else {
        stream.write(`- ${title} ...\n`);
      }
      try {
        const value = await fn();
        const detail = describe?.(value);
        const done = `${c.green('✔')} ${title}${detail ? ` ${c.dim(`(${detail})`)}` : ''} ${c.dim(secs(t0))}`;
        stream.write(mode === 'spinner' ? `\r\x1b[2K${done}\n` : `  ${done}\n`);
        return value;
      } catch (err) {
        const failed = `${c.red('✖')} ${title} ${c.dim(secs(t0))}`;
        stream.write(mode === 'spinner' ? `\r\x1b[2K${failed}\n` : `  ${failed}\n`);
        throw err;
      } finally {
        clearInterval(timer);
      }
    },
  };
}

/** `--output`: explicit choice, else a table for a terminal and JSON for a pipe. */
export function resolveOutput(requested: string | undefined, isTty: boolean): OutputFormat {
  if (requested === 'table' || requested === 'json') return requested;
  return isTty ? 'table' : 'json';
}
