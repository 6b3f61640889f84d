import { execa } from 'execa';
import { TICKETCTL, type CliResult } from '../helpers/cli.ts';

// An operator at a terminal: runs ticketctl on a pseudo-terminal (util-linux `script`) and
// types each answer only after its prompt has appeared, as a person would. Needed for a
// dialogue of several prompts: typed ahead, the first prompt would swallow every answer.

export interface Turn {
  /** Output (since the previous answer) that shows the prompt has appeared. */
  after: RegExp;
  /** What to type (a newline is added). */
  type: string;
}

export async function ticketctlDialogue(args: string[], turns: Turn[], env: Record<string, string>, timeoutMs = 120_000): Promise<CliResult & { unanswered: number }> {
  const quoted = [TICKETCTL, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = execa('script', ['-qec', quoted, '/dev/null'], { reject: false, timeout: timeoutMs, env: { NO_COLOR: '1', ...env }, stdin: 'pipe' });
  const strip = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''); // eslint-disable-line no-control-regex -- strips the terminal's escape sequences (ESC [ ...)
  let output = '';
  let seen = 0; // answers are matched against output after this index
  let next = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    output += strip(chunk.toString());
    const turn = turns[next];
    if (!turn) return;
    const fresh = output.slice(seen);
    const m = turn.after.exec(fresh);
    if (m) {
      seen += m.index + m[0].length;
      next += 1;
      child.stdin.write(`${turn.type}\n`);
    }
  });
  const r = await child;
  return { exitCode: r.exitCode ?? -1, stdout: output, stderr: strip(String(r.stderr ?? '')), unanswered: turns.length - next };
}
