// A small reader for the images/*/Dockerfile files and .dockerignore, enough for the
// static checks of tests/unit/compose-images.test.ts and compose-app.test.ts.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { read, root } from './compose-file.ts';

export interface Instruction {
  op: string;
  args: string;
}
export interface Stage {
  /** What FROM names: an image (`${BASE_IMAGE}`) or an earlier stage. */
  from: string;
  name: string | undefined;
  steps: Instruction[];
}
export interface Dockerfile {
  file: string;
  /** The instructions before the first FROM (global ARGs). */
  preamble: Instruction[];
  stages: Stage[];
}

/** Every images/<name>/Dockerfile, as repository paths. */
export const imageDockerfiles = readdirSync(path.join(root, 'images'))
  .map((name) => `images/${name}/Dockerfile`)
  .filter((file) => existsSync(path.join(root, file)))
  .sort();

export function parseDockerfile(file: string): Dockerfile {
  const steps = read(file)
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => ({ op: l.split(/\s+/, 1)[0]!.toUpperCase(), args: l.slice(l.split(/\s+/, 1)[0]!.length).trim() }));
  const first = steps.findIndex((s) => s.op === 'FROM');
  const stages: Stage[] = [];
  for (const step of steps.slice(Math.max(first, 0))) {
    if (step.op === 'FROM') {
      const [from, as, name] = step.args.split(/\s+/).filter((a) => !a.startsWith('--'));
      stages.push({ from: from!, name: as?.toUpperCase() === 'AS' ? name : undefined, steps: [] });
    } else stages.at(-1)!.steps.push(step);
  }
  return { file, preamble: first < 0 ? steps : steps.slice(0, first), stages };
}

/** A COPY's flags (`--from=deps` -> { from: 'deps' }), sources and destination. */
export function copyParts(step: Instruction): { flags: Record<string, string>; sources: string[]; dest: string } {
  const words = step.args.split(/\s+/);
  const flags = Object.fromEntries(
    words
      .filter((w) => w.startsWith('--'))
      .map((w) => {
        const [k, v = ''] = w.slice(2).split('=', 2) as [string, string?];
        return [k, v];
      }),
  );
  const paths = words.filter((w) => !w.startsWith('--'));
  return { flags, sources: paths.slice(0, -1).map((src) => src.replace(/^\.\//, '').replace(/\/$/, '')), dest: paths.at(-1)! };
}

/** The repository paths every COPY of the build context takes (not COPY --from a stage). */
export function contextSources(df: Dockerfile): string[] {
  return df.stages.flatMap((s) => s.steps.filter((step) => step.op === 'COPY' || step.op === 'ADD').map(copyParts)).flatMap((c) => (c.flags.from === undefined ? c.sources : []));
}

export const dockerignore = read('.dockerignore')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

/** .dockerignore's rule: the last pattern matching the path or one of its parents wins. */
export function dockerIgnored(file: string, patterns: string[] = dockerignore): boolean {
  const toRegExp = (glob: string) =>
    new RegExp(
      `^${glob
        .split(/(\*\*\/|\*\*|\*|\?)/)
        .map((part) => ({ '**/': '(?:.*/)?', '**': '.*', '*': '[^/]*', '?': '[^/]' })[part] ?? part.replace(/[.+^${}()|[\]\\]/g, '\\$&'))
        .join('')}$`,
    );
  const parents = file.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const re = toRegExp(path.posix.normalize(negated ? raw.slice(1) : raw).replace(/\/$/, ''));
    if (parents.some((p) => re.test(p))) ignored = !negated;
  }
  return ignored;
}

/** Files under a repository path (itself, if a file). */
export function filesUnder(src: string): string[] {
  const abs = path.join(root, src);
  if (!existsSync(abs)) return [];
  if (!statSync(abs).isDirectory()) return [src];
  return readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.posix.join(path.relative(root, e.parentPath), e.name));
}
