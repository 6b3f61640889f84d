import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

// Looks for secret values in files: every log, audit log, drill journal and report the
// test suite and the drills write must hold none (issue 12). A finding names the file, the
// line and which secret (by its name), never the value, so the scan's own output is safe
// to keep in a CI log.

export interface SecretFinding {
  file: string;
  line: number;
  secret: string;
}

/** Every regular file under each root (a root may be a file); unreadable entries are skipped. */
function* filesUnder(root: string): Generator<string> {
  let st;
  try {
    st = statSync(root);
  } catch {
    return;
  }
  if (st.isFile()) {
    yield root;
    return;
  }
  if (!st.isDirectory()) return;
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const p = path.join(root, entry.name);
    if (entry.isDirectory()) yield* filesUnder(p);
    else if (entry.isFile()) yield p;
  }
}

/** Secrets shorter than this are not searched for: they would match by chance (and ours are 32 bytes). */
export const MIN_SECRET_LENGTH = 16;

export function scanForSecrets(roots: string[], secrets: Record<string, string>, skip: (file: string) => boolean = () => false): { files: number; findings: SecretFinding[] } {
  const wanted = Object.entries(secrets).filter(([, v]) => v.length >= MIN_SECRET_LENGTH);
  const findings: SecretFinding[] = [];
  let files = 0;
  for (const root of roots) {
    for (const file of filesUnder(root)) {
      if (skip(file)) continue;
      files++;
      let text: string;
      try {
        text = readFileSync(file, 'latin1'); // byte for byte: a gzip or binary file is searched as it is
      } catch {
        continue;
      }
      for (const [name, value] of wanted) {
        let at = text.indexOf(value);
        while (at >= 0) {
          findings.push({ file, line: text.slice(0, at).split('\n').length, secret: name });
          at = text.indexOf(value, at + value.length);
        }
      }
    }
  }
  return { files, findings };
}
