import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError, pidExists } from '../../../lib/index.ts';
import { verifyChain, type ChainReport } from '../../shared/audit-chain.ts';
import { auditLogPath, type AuditRecord } from '../../shared/audit.ts';
import { ExitError } from '../../shared/exit-code.ts';
import type { Globals } from '../../shared/globals.ts';
import { resolveOutput } from '../../shared/ui.ts';

// `ticketctl audit verify`: the chain (audit-chain.ts) and the runs whose intent was
// recorded but whose outcome never was: a ticketctl killed mid-change, whose effects
// someone must now check by hand (the record's plan says what it was about to do).

export interface Unfinished {
  time: string;
  host: string;
  pid: number;
  command: string;
  context: string;
  /** `running`: that process is still alive on this host; `interrupted`: it is gone; `unknown`: another host. */
  state: 'running' | 'interrupted' | 'unknown';
}

export interface VerifyReport extends ChainReport {
  file: string;
  unfinished: Unfinished[];
}

export function unfinishedRuns(text: string, alive: (pid: number) => boolean, host = os.hostname()): Unfinished[] {
  const open = new Map<string, AuditRecord>();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let r: AuditRecord;
    try {
      r = JSON.parse(line) as AuditRecord;
    } catch {
      continue; // the chain check reports it
    }
    const key = `${r.host}\u0000${r.pid}\u0000${r.time}`;
    if (r.result === 'started') open.set(key, r);
    else open.delete(key);
  }
  return [...open.values()].map((r) => ({
    time: r.time,
    host: r.host,
    pid: r.pid,
    command: r.command,
    context: r.context,
    state: r.host !== host ? 'unknown' : alive(r.pid) ? 'running' : 'interrupted',
  }));
}

export async function run(g: Globals, opts: { file?: string; output?: 'table' | 'json' }): Promise<void> {
  const file = opts.file ? path.resolve(opts.file) : auditLogPath(await g.context(), g.env);
  if (!existsSync(file)) throw new UsageError(`There is no audit log at ${file}.`, 'Mutating commands create it on their first run; name another file with --file.');
  const text = readFileSync(file, 'utf8');
  const report: VerifyReport = { file, ...verifyChain(text), unfinished: unfinishedRuns(text, pidExists) };
  const interrupted = report.unfinished.filter((u) => u.state !== 'running');
  if (resolveOutput(opts.output, g.ui.isTty) === 'json') g.ui.json(report);
  else print(g, report);
  if (!report.ok) throw new ExitError(1, `The audit log ${file} does not hold at line ${report.broken!.line}: ${report.broken!.reason}. Keep a copy; compare it with a backup or the log collector's copy.`);
  if (interrupted.length) throw new ExitError(1, `${interrupted.length} run(s) recorded their intent but no outcome: check what each was about to do (its plan in the log) before acting again.`);
}

function print({ ui }: Globals, r: VerifyReport): void {
  ui.out(`Audit log ${r.file}: ${r.entries} record(s)${r.unchained ? `, the first ${r.unchained} from before hash-chaining` : ''}.`);
  ui.out(r.ok ? `${ui.color.green('✔')} The chain holds. Its head (keep it elsewhere to detect a rewritten tail): ${r.head}` : `${ui.color.red('✖')} Broken at line ${r.broken!.line}: ${r.broken!.reason}.`);
  for (const u of r.unfinished)
    ui.out(`  ${u.state === 'running' ? 'running    ' : u.state === 'interrupted' ? ui.color.red('interrupted') : 'unknown    '} ${u.time} ${u.command} (context ${u.context}, pid ${u.pid} on ${u.host})`);
}
