import { createRequire } from 'node:module';
import { Chalk, type ChalkInstance } from 'chalk';
import type { Progress } from '../../lib/index.ts';

// Everything that touches the terminal: colour, tables, progress, prompts. Commands print
// through here so `--no-color`, NO_COLOR and non-TTY output behave the same everywhere.

export type OutputFormat = 'table' | 'json';

export interface Ui {
  color: ChalkInstance;
  /** stdout is a terminal. */
  isTty: boolean;
  // this: void: callers pass them around as print functions (`show(ui.out)`); both are closures.
  out(this: void, line?: string): void;
  err(this: void, line?: string): void;
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

// string-width compiles large Unicode-property regexes as it loads (0.1-0.3 s on this shared
// machine), which `--help` and ASCII-only tables must not pay: it is loaded on the first text
// that is not plain ASCII (require() of an ES module, synchronous on Node 24).
const requireLazily = createRequire(import.meta.url);
let stringWidth: ((text: string) => number) | undefined;
const SGR = /\x1b\[[0-9;]*m/g; // eslint-disable-line no-control-regex -- colour codes start with ESC

/** Terminal columns a text takes: colour codes 0, CJK and emoji 2, combining marks 0 (string-width). */
export function textWidth(text: string): number {
  const plain = text.replace(SGR, '');
  if (/^[\x20-\x7e]*$/.test(plain)) return plain.length;
  stringWidth ??= (requireLazily('string-width') as typeof import('string-width')).default;
  return stringWidth(text);
}

/** Pads columns to their widest cell, measured in terminal columns, so wide characters stay aligned. */
export function renderTable(columns: string[], rows: string[][]): string[] {
  const widths = columns.map((c, i) => Math.max(textWidth(c), ...rows.map((r) => textWidth(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell + ' '.repeat(widths[i]! - textWidth(cell))))
      .join('  ')
      .trimEnd();
  return [line(columns), ...rows.map(line)];
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** Cuts plain text to at most `max` terminal columns, whole characters only, marking the cut with '…'. */
export function fitWidth(text: string, max: number): string {
  if (textWidth(text) <= max) return text;
  let out = '';
  let width = 0;
  for (const { segment } of new Intl.Segmenter().segment(text)) {
    const w = textWidth(segment);
    if (width + w > max - 1) break;
    out += segment;
    width += w;
  }
  return `${out}…`;
}

// The spinner redraws its one line with `\r` + erase-line. That erases only the line the
// cursor is on, so a spinner line must never wrap: the title is cut to the terminal's width
// (a pseudo-terminal without a size reports 0 columns: then 80). The line that ends the
// step is printed in full. ora and yocto-spinner were considered: ora 9.4.1 loops forever
// clearing lines when the terminal reports 0 columns (as `script` does in the tests), and
// yocto-spinner colours its frames by the environment only, ignoring --no-color.
function createProgress(mode: 'spinner' | 'plain' | 'off', stream: NodeJS.WriteStream, c: ChalkInstance): Progress {
  const secs = (t0: number) => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
  let spinning = false;
  return {
    info: (message) => {
      if (mode === 'off') return;
      // Over a spinning line, not glued to its end; the next frame redraws the spinner below.
      stream.write(`${spinning ? '\r\x1b[2K' : ''}${c.dim(message)}\n`);
    },
    async step(title, fn, describe) {
      if (mode === 'off') return fn();
      const t0 = Date.now();
      let timer: NodeJS.Timeout | undefined;
      if (mode === 'spinner') {
        let i = 0;
        const draw = () => {
          const time = secs(t0);
          const room = (stream.columns || 80) - 1 - `x  ${time}`.length; // a frame is one column
          stream.write(`\r\x1b[2K${c.cyan(FRAMES[i++ % FRAMES.length])} ${fitWidth(title, Math.max(room, 1))} ${c.dim(time)}`);
        };
        spinning = true;
        draw();
        timer = setInterval(draw, 100);
      } else {
        stream.write(`- ${title} ...\n`);
      }
      const finish = (line: string) => {
        clearInterval(timer);
        spinning = false;
        stream.write(mode === 'spinner' ? `\r\x1b[2K${line}\n` : `  ${line}\n`);
      };
      try {
        const value = await fn();
        const detail = describe?.(value);
        finish(`${c.green('✔')} ${title}${detail ? ` ${c.dim(`(${detail})`)}` : ''} ${c.dim(secs(t0))}`);
        return value;
      } catch (err) {
        finish(`${c.red('✖')} ${title} ${c.dim(secs(t0))}`);
        throw err;
      }
    },
  };
}

/** `--output`: explicit choice, else a table for a terminal and JSON for a pipe. */
export function resolveOutput(requested: string | undefined, isTty: boolean): OutputFormat {
  if (requested === 'table' || requested === 'json') return requested;
  return isTty ? 'table' : 'json';
}
