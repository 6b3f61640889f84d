import { createHash } from 'node:crypto';

// The audit log's hash chain (pure logic; audit.ts writes, `ticketctl audit verify` reads).
// Every line carries `prev`, the SHA-256 of the line before it (GENESIS for the first), and
// `hash`, the SHA-256 of its own JSON without `hash`. An edited line no longer matches its
// own hash; a removed or reordered line breaks the next line's `prev`. Lines written before
// the chain existed (no `hash`) are accepted only as a prefix of the file.
//
// What it cannot do alone: someone who rewrites the tail of the file and recomputes every
// hash after the edit goes unnoticed, as with any chain kept beside the data. Shipping the
// last hash somewhere else (a log collector, a ticket) closes that gap.

export const GENESIS = '0'.repeat(64);

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The line to append after `previousLine` (undefined: the file is empty). */
export function chainedLine(record: object, previousLine: string | undefined): string {
  const body = { ...record, prev: previousLine === undefined ? GENESIS : sha256(previousLine) };
  return JSON.stringify({ ...body, hash: sha256(JSON.stringify(body)) });
}

export interface ChainReport {
  entries: number;
  /** Lines before the first chained one (written before hash-chaining existed). */
  unchained: number;
  ok: boolean;
  /** 1-based line number and why, for the first line that does not hold. */
  broken: { line: number; reason: string } | null;
  /** The last line's hash: what to keep elsewhere to detect a rewritten tail. */
  head: string | null;
}

export function verifyChain(text: string): ChainReport {
  const lines = text.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);
  let unchained = 0;
  let chained = false;
  let previous: string | undefined;
  const fail = (line: number, reason: string): ChainReport => ({ entries: lines.length, unchained, ok: false, broken: { line, reason }, head: null });
  for (const [i, line] of lines.entries()) {
    const n = i + 1;
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return fail(n, 'not a JSON record (edited or truncated)');
    }
    if (typeof parsed.hash !== 'string') {
      if (chained) return fail(n, 'no hash after the chain began (a record was rewritten without its chain fields)');
      unchained += 1;
      previous = line;
      continue;
    }
    chained = true;
    const { hash, ...body } = parsed;
    if (sha256(JSON.stringify(body)) !== hash) return fail(n, 'its content does not match its hash (the record was edited)');
    const expectedPrev = previous === undefined ? GENESIS : sha256(previous);
    if (body.prev !== expectedPrev) return fail(n, 'its prev does not match the line before it (a record was removed, inserted or reordered)');
    previous = line;
  }
  const last = lines.at(-1);
  return { entries: lines.length, unchained, ok: true, broken: null, head: last === undefined ? null : sha256(last) };
}
