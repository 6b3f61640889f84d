import { statSync } from 'node:fs';
import { UsageError } from '../../../lib/index.ts';
import { CREDENTIALS, CREDENTIAL_USES, readCredential, type CredentialName } from '../../../stack/index.ts';
import { stackContextOf } from '../../../clients/index.ts';
import { appendAudit, auditLogPath, auditRecord } from '../../shared/audit.ts';
import { resolveOutput } from '../../shared/ui.ts';
import type { Globals } from '../../shared/globals.ts';

// `ticketctl stack credentials`: where each of the stack's secrets is, what uses it and how
// a client presents it; never a value, unless one is asked for by name (`--show <name>`),
// which prints that value alone and records in the audit log that it was shown.

export interface CredentialRow {
  name: CredentialName;
  file: string;
  /** e.g. "600"; null when the stack has not made it yet (`stack up` does). */
  mode: string | null;
  what: string;
  usedBy: string;
  howToUse: string;
}

export async function run(g: Globals, opts: { show?: string; output?: string }): Promise<void> {
  const c = await g.context();
  const stack = stackContextOf(c, '`stack credentials`');
  const names = Object.values(CREDENTIALS);
  if (opts.show !== undefined) {
    const name = opts.show as CredentialName;
    if (!names.includes(name)) throw new UsageError(`No credential "${opts.show}".`, `Credentials: ${names.join(', ')}.`);
    const value = readCredential(stack.paths, name);
    if (value === undefined) throw new UsageError(`The stack in ${stack.paths.root} has no ${name} yet.`, 'Run `ticketctl stack up` once: it makes the credentials.');
    const t0 = Date.now();
    appendAudit(
      auditLogPath(c, g.env),
      auditRecord({
        startedAt: t0,
        context: c.name,
        command: 'stack credentials',
        argv: ['stack', 'credentials', '--show', name],
        plan: { title: `show the value of ${name}`, steps: [`print ${stack.paths.credentialFile(name)}`], data: { name } },
        result: 'ok',
      }),
    );
    process.stdout.write(`${value}\n`);
    return;
  }
  const rows: CredentialRow[] = names.map((name) => {
    const file = stack.paths.credentialFile(name);
    let mode: string | null = null;
    try {
      mode = (statSync(file).mode & 0o777).toString(8);
    } catch {
      // not made yet
    }
    return { name, file, mode, ...CREDENTIAL_USES[name] };
  });
  if (resolveOutput(opts.output, g.ui.isTty) === 'json') return g.ui.json({ context: c.name, dir: stack.paths.credentials, credentials: rows });
  g.ui.table(
    ['NAME', 'FILE', 'MODE', 'WHAT'],
    rows.map((r) => [r.name, r.file, r.mode ?? 'missing (run `ticketctl stack up`)', r.what]),
  );
  for (const r of rows) g.ui.out(`\n${r.name}\n  used by: ${r.usedBy}\n  use it:  ${r.howToUse}`);
  g.ui.out(`\nValues are never printed here; \`ticketctl stack credentials --show <name>\` prints one (and records that in the audit log).`);
}
