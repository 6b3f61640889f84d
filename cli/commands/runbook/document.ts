// A runbook is a Markdown file in runbooks/ that a person reads at 3 a.m. and that
// `ticketctl runbook <scenario>` walks through step by step. One source for both: the
// interactive mode parses the same document, so the two never drift apart.
//
// The convention (runbooks/README.md):
//   # Title
//   ## Symptoms / ## Alerts / ... free text
//   ## Steps            -> each `### N. title` below is a step
//   ## Verify recovery  -> each `### N. title` below is a verification step
// A step's commands are the `ticketctl ...` lines of its ```sh blocks.

export type StepKind = 'step' | 'verify';

export interface RunbookStep {
  number: number;
  title: string;
  kind: StepKind;
  /** The step's prose, code blocks removed, blank lines collapsed. */
  text: string[];
  /** `ticketctl ...` command lines, in order (placeholders such as <id> left in). */
  commands: string[];
}

export interface Runbook {
  title: string;
  /** `## Heading` -> its prose lines (for Symptoms, Alerts...). */
  sections: Map<string, string[]>;
  steps: RunbookStep[];
}

export const REQUIRED_SECTIONS = ['Symptoms', 'Alerts', 'Steps', 'Verify recovery'] as const;

export class RunbookFormatError extends Error {}

export function parseRunbook(markdown: string, name = 'runbook'): Runbook {
  let title = '';
  const sections = new Map<string, string[]>();
  const steps: RunbookStep[] = [];
  let section: string | undefined;
  let step: RunbookStep | undefined;
  let fence: string | undefined; // the info string of the open code block, if any

  markdown.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\s+$/, '');
    const fenceMatch = /^```(\S*)/.exec(line);
    if (fenceMatch) {
      fence = fence === undefined ? fenceMatch[1] || 'text' : undefined;
      return;
    }
    if (fence !== undefined) {
      const cmd = line.trim();
      if ((fence === 'sh' || fence === 'bash' || fence === 'console') && /^(\$ )?ticketctl(\s|$)/.test(cmd)) {
        if (!step) throw new RunbookFormatError(`${name}:${i + 1}: a ticketctl command outside a "### N. title" step.`);
        step.commands.push(cmd.replace(/^\$ /, ''));
      } else if (step && fence !== 'sh' && fence !== 'bash') step.text.push(`  ${line}`);
      return;
    }
    let m: RegExpExecArray | null;
    if ((m = /^# (.+)$/.exec(line))) {
      title ||= m[1]!.trim();
    } else if ((m = /^## (.+)$/.exec(line))) {
      section = m[1]!.trim();
      sections.set(section, []);
      step = undefined;
    } else if ((m = /^### (\d+)\.\s+(.+)$/.exec(line))) {
      const kind: StepKind | undefined = section === 'Steps' ? 'step' : section === 'Verify recovery' ? 'verify' : undefined;
      if (!kind) throw new RunbookFormatError(`${name}:${i + 1}: step "${m[2]}" is outside "## Steps" and "## Verify recovery".`);
      step = { number: Number(m[1]), title: m[2]!.trim(), kind, text: [], commands: [] };
      steps.push(step);
    } else if (step) {
      step.text.push(line);
    } else if (section) {
      sections.get(section)!.push(line);
    }
  });

  if (fence !== undefined) throw new RunbookFormatError(`${name}: a code block is never closed.`);
  if (!title) throw new RunbookFormatError(`${name}: no "# Title" line.`);
  const missing = REQUIRED_SECTIONS.filter((s) => !sections.has(s));
  if (missing.length) throw new RunbookFormatError(`${name}: missing section(s) ${missing.map((s) => `"## ${s}"`).join(', ')}.`);
  steps.forEach((s, i) => {
    if (s.number !== i + 1) throw new RunbookFormatError(`${name}: step "${s.title}" is numbered ${s.number}, expected ${i + 1}.`);
    s.text = tidy(s.text);
  });
  for (const [k, v] of sections) sections.set(k, tidy(v));
  if (!steps.some((s) => s.kind === 'verify' && s.commands.length)) throw new RunbookFormatError(`${name}: "## Verify recovery" needs at least one step with a ticketctl command.`);
  return { title, sections, steps };
}

/** Trims leading/trailing blank lines and collapses runs of blank lines. */
function tidy(lines: string[]): string[] {
  const out: string[] = [];
  for (const l of lines) if (l.trim() !== '' || (out.length && out[out.length - 1] !== '')) out.push(l);
  while (out.length && out[out.length - 1] === '') out.pop();
  return out;
}

/** Words of a command line as a POSIX shell would split them (quotes, no expansion). */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < line.length) cur += line[++i];
      else cur += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else if (ch === '#' && !inWord) {
      break; // a trailing comment
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (quote) throw new RunbookFormatError(`unclosed ${quote} in: ${line}`);
  if (inWord) words.push(cur);
  return words;
}

/** `<placeholder>` names in a command line, in order of first appearance. */
export function placeholders(line: string): string[] {
  return [...new Set([...line.matchAll(/<([a-z][a-z0-9-]*)>/g)].map((m) => m[1]!))];
}

export function fillPlaceholders(line: string, values: Record<string, string>): string {
  return line.replace(/<([a-z][a-z0-9-]*)>/g, (whole, name: string) => values[name] ?? whole);
}
