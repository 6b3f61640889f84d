import { OpsError, errorMessage } from '../../lib/index.ts';
import { appendAudit, assertAuditWritable, auditLogPath, auditRecord, type AuditResult } from './audit.ts';
import type { Context } from '../../clients/index.ts';
import { resolveOutput, type Ui } from './ui.ts';
import type { Globals } from './globals.ts';

// The one path every mutating command takes: show the plan, stop there on --dry-run, get
// consent (--yes, a terminal prompt, or the context's name typed back where it is
// protected), apply, and append what happened to the audit log whatever the outcome.

export interface Plan<D = unknown> {
  /** One line: what applying the plan does. */
  title: string;
  /** Human-readable steps, in order. Empty: nothing to do. */
  steps: string[];
  /** The same plan for machines (stable keys, documented per command). */
  data: D;
  /** Shown with the plan: what is skipped and why, what to do afterwards. */
  notes?: string[];
  /** What to run to undo, where undo is possible. */
  rollback?: string;
  /** Default true. A protected context asks for its name only for destructive plans. */
  destructive?: boolean;
}

export interface MutationFlags {
  dryRun?: boolean;
  yes?: boolean;
  confirmContext?: string;
  output?: string;
}

/**
 * The database account a mutating command runs as (contracts/databases.ts): a dry run only
 * reads, so it needs only the read account; applying needs the operator's.
 */
export const dbRoleFor = (f: Pick<MutationFlags, 'dryRun'>): 'read' | 'operator' => (f.dryRun ? 'read' : 'operator');

export type MutationGlobals = Pick<Globals, 'ui' | 'command' | 'argv' | 'env'>;

/** Lines of a plan as printed before asking and by --dry-run. */
export function renderPlan(plan: Plan, context: Pick<Context, 'name' | 'protected'>): string[] {
  const lines = [`Plan for context "${context.name}"${context.protected ? ' (protected)' : ''}: ${plan.title}`];
  plan.steps.forEach((s, i) => lines.push(`  ${i + 1}. ${s}`));
  for (const n of plan.notes ?? []) lines.push(`  note: ${n}`);
  if (plan.rollback) lines.push(`  undo: ${plan.rollback}`);
  return lines;
}

export async function runMutation<D, R>(
  g: MutationGlobals,
  context: Context,
  flags: MutationFlags,
  plan: Plan<D>,
  apply: () => Promise<R>,
  describe: (result: R) => string[] = () => [],
): Promise<R | undefined> {
  const { ui } = g;
  const startedAt = Date.now();
  const json = resolveOutput(flags.output, ui.isTty) === 'json';
  const auditFile = auditLogPath(context, g.env);
  const audit = (result: AuditResult, error?: string) => {
    try {
      appendAudit(auditFile, auditRecord({ startedAt, context: context.name, command: g.command, argv: g.argv, plan, result, error }));
    } catch (err) {
      // Checked writable before anything changed; losing it afterwards must not hide the outcome.
      ui.err(ui.color.yellow(`warning: could not append to the audit log ${auditFile}: ${errorMessage(err)}`));
    }
  };
  const report = (result: string, outcome: unknown = null) => {
    if (json) ui.json({ command: g.command, context: context.name, result, plan: planJson(plan), outcome });
  };
  const show = (print: (line: string) => void) => renderPlan(plan, context).forEach((l) => print(l));

  if (plan.steps.length === 0) {
    if (!flags.dryRun) audit('noop');
    if (json) report(flags.dryRun ? 'dry-run' : 'noop');
    else show(ui.out);
    ui.err(`Nothing to do: ${plan.title}.`);
    return undefined;
  }
  if (flags.dryRun) {
    if (json) report('dry-run');
    else show(ui.out);
    ui.err(`Dry run: nothing was changed. To apply: ${suggest(g.argv, context)}.`);
    return undefined;
  }

  assertAuditWritable(auditFile);
  show(json ? ui.err : ui.out);
  const refusal = await consent(ui, context, flags, plan, g.argv).catch((err: unknown) => {
    audit('aborted', errorMessage(err)); // Ctrl-C at the prompt, or a signal while it waited
    throw err;
  });
  if (refusal) {
    audit('refused', refusal.message);
    throw new OpsError(refusal.message, { code: 'REFUSED', exitCode: 2, hint: refusal.hint });
  }

  // The intent, before anything changes, so a crash mid-apply still leaves a record. Not
  // written, not run: unlike the outcome, a failure here stops the command.
  appendAudit(auditFile, auditRecord({ startedAt, context: context.name, command: g.command, argv: g.argv, plan, result: 'started' }));
  let result: R;
  try {
    result = await apply();
  } catch (err) {
    audit(err instanceof Error && err.name === 'AbortError' ? 'aborted' : 'failed', errorMessage(err));
    if (plan.rollback) ui.err(`To undo what was done: ${plan.rollback}`);
    throw err;
  }
  audit('ok');
  if (json) report('ok', result);
  else {
    ui.out(`${ui.color.green('✔')} Done: ${plan.title} (${((Date.now() - startedAt) / 1000).toFixed(1)} s).`);
    for (const line of describe(result)) ui.out(`  ${line}`);
    if (plan.rollback) ui.out(`  To undo: ${plan.rollback}`);
  }
  return result;
}

function planJson(plan: Plan): unknown {
  return { title: plan.title, steps: plan.steps, notes: plan.notes ?? [], rollback: plan.rollback ?? null, data: plan.data };
}

/** undefined = go ahead; else why not, and what to run next. */
async function consent(ui: Ui, context: Context, flags: MutationFlags, plan: Plan, argv: string[]): Promise<{ message: string; hint: string } | undefined> {
  const again = suggest(argv, context);
  if (context.protected && plan.destructive !== false) {
    if (flags.confirmContext !== undefined) {
      return flags.confirmContext === context.name
        ? undefined
        : {
            message: `--confirm-context "${flags.confirmContext}" does not match the context "${context.name}". Nothing was changed.`,
            hint: `Check which context you meant; review with --dry-run, then pass --confirm-context ${context.name}.`,
          };
    }
    if (!ui.canPrompt) {
      return {
        message: `Context "${context.name}" is protected and stdin is not a terminal, so its name cannot be typed back. Nothing was changed.`,
        hint: `Review the plan with --dry-run, then re-run with --yes --confirm-context ${context.name} after reviewing --dry-run.`,
      };
    }
    const typed = (await ui.ask(`Context "${context.name}" is protected. Type its name to apply this plan:`)).trim();
    return typed === context.name
      ? undefined
      : { message: `You typed "${typed}", not "${context.name}". Nothing was changed.`, hint: `Run it again and type ${context.name}, or review the plan first with --dry-run.` };
  }
  if (flags.yes) return undefined;
  if (!ui.canPrompt) {
    return {
      message: 'Refusing to change anything without confirmation: stdin is not a terminal and --yes was not given. Nothing was changed.',
      hint: `re-run with --yes after reviewing --dry-run: \`${again} --dry-run\`, then \`${again} --yes\`.`,
    };
  }
  if (await ui.confirm(`Apply this plan to "${context.name}"?`)) return undefined;
  return { message: 'Declined. Nothing was changed.', hint: `Review the plan again with \`${again} --dry-run\`.` };
}

/** The command line again, without the consent flags, for messages. */
function suggest(argv: string[], context: Pick<Context, 'name'>): string {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--dry-run' || a === '--yes' || a === '-y') continue;
    if (a === '--confirm-context') {
      i++;
      continue;
    }
    if (a.startsWith('--confirm-context=')) continue;
    kept.push(/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  }
  const hasContext = argv.some((a) => a === '--context' || a.startsWith('--context='));
  return ['ticketctl', ...(hasContext || context.name === 'local' ? [] : ['--context', context.name]), ...kept].join(' ');
}
