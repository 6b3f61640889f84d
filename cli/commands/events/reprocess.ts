import { OpsError, UsageError, WaitTimeoutError, waitFor } from '../../../lib/index.ts';
import { dbRoleFor, runMutation, type MutationFlags } from '../../shared/mutation.ts';
import { withServiceDb } from '../../../clients/index.ts';
import { parseTimeFlag, windowJson } from '../../shared/time-window.ts';
import { revive } from './reprocess-apply.ts';
import { REPROCESSABLE_STATUSES, reprocessPlan } from './reprocess-plan.ts';
import { readCandidates, readStates, type PaymentState } from './reprocess-sources.ts';
import type { Globals } from '../../shared/globals.ts';

// `ticketctl events reprocess` (report 4.3.2): failed payments created in a window are reset
// to the state the saga starts from and payment.try is published again; then the command
// waits until each one is final and reports it. See reprocess-plan.ts for what is skipped
// and why each round gets its own gateway key.

export interface ReprocessFlags extends MutationFlags {
  since?: string;
  until?: string;
  status?: string;
  payment?: string[];
  reason?: string;
  again?: boolean;
  timeout: number;
  limit: number;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ReprocessOutcome {
  revived: number;
  skippedAtApply: Array<{ paymentTxId: string; reason: string }>;
  payments: Array<PaymentState & { final: boolean }>;
  allFinal: boolean;
  succeeded: number;
  failedAgain: number;
}

export async function run(g: Globals, opts: ReprocessFlags): Promise<void> {
  const now = new Date();
  if (opts.since === undefined && !opts.payment?.length) throw new UsageError('events reprocess needs --since (or --payment).', 'For example: ticketctl events reprocess --since 1h --dry-run');
  const since = opts.since === undefined ? new Date(0) : parseTimeFlag('--since', opts.since, now);
  const until = opts.until === undefined ? now : parseTimeFlag('--until', opts.until, now);
  if (since > until) throw new UsageError(`--since (${since.toISOString()}) is after --until (${until.toISOString()}).`, 'Swap them.');
  const statuses = (opts.status ?? 'FAILED')
    .split(',')
    .map((x) => x.trim().toUpperCase())
    .filter(Boolean);
  const bad = statuses.filter((x) => !(REPROCESSABLE_STATUSES as readonly string[]).includes(x));
  if (bad.length || !statuses.length)
    throw new UsageError(
      `--status ${opts.status}: only ${REPROCESSABLE_STATUSES.join(', ')} payments can be reprocessed.`,
      "A SUCCESS payment is done, a CANCELLED one was the customer's choice, a PENDING one is still in the saga (see `ticketctl consumers lag`).",
    );
  const ids = (opts.payment ?? []).map((x) => x.toLowerCase());
  const badId = ids.find((x) => !UUID.test(x));
  if (badId) throw new UsageError(`--payment ${badId} is not a payment id (a UUID).`, 'Copy the paymentTxId from `ticketctl payments duplicates` or the service logs.');

  const c = await g.context();
  await withServiceDb(
    c,
    async (pool) => {
      const candidates = await g.ui.progress.step('read failed payments', () => readCandidates(pool, { statuses, since, until, paymentIds: ids, reason: opts.reason, limit: opts.limit }));
      const plan = reprocessPlan(candidates, { window: windowJson({ since, until }), statuses, allowRepeat: opts.again === true, timeoutSeconds: opts.timeout });
      if (candidates.length === opts.limit) plan.notes!.push(`only the first ${opts.limit} payments of the window were read (--limit); run again for the rest`);
      const outcome = await runMutation(
        g,
        c,
        opts,
        plan,
        async (): Promise<ReprocessOutcome> => {
          const skippedAtApply: ReprocessOutcome['skippedAtApply'] = [];
          const revived: string[] = [];
          for (const item of plan.data.reprocess) {
            const r = await g.ui.progress.step(`reset ${item.paymentTxId} and publish payment.try`, () => revive(pool, item));
            if (r.revived) revived.push(item.paymentTxId);
            else skippedAtApply.push({ paymentTxId: item.paymentTxId, reason: r.reason });
          }
          let states: PaymentState[] = [];
          const pending = () => states.filter((s) => s.status === 'PENDING');
          try {
            await g.ui.progress.step(`wait until ${revived.length} payment(s) are final`, () =>
              waitFor(
                async () => {
                  states = await readStates(pool, revived);
                  return pending().length === 0;
                },
                { timeoutMs: opts.timeout * 1000, intervalMs: 500, what: 'every reprocessed payment to be final', signal: g.signal },
              ),
            );
          } catch (err) {
            if (!(err instanceof WaitTimeoutError)) throw err;
          }
          const payments = states.map((s) => ({ ...s, final: s.status !== 'PENDING' }));
          return {
            revived: revived.length,
            skippedAtApply,
            payments,
            allFinal: pending().length === 0,
            succeeded: payments.filter((p) => p.status === 'SUCCESS').length,
            failedAgain: payments.filter((p) => p.status === 'FAILED').length,
          };
        },
        (r) => [
          ...r.payments.map((p) => `${p.paymentTxId}: ${p.status}${p.failureReason ? ` (${p.failureReason})` : ''}`),
          ...r.skippedAtApply.map((s) => `${s.paymentTxId}: skipped, ${s.reason}`),
          `${r.succeeded} succeeded, ${r.failedAgain} failed again, ${r.payments.length - r.succeeded - r.failedAgain} not final.`,
        ],
      );
      if (outcome && !outcome.allFinal) {
        const stuck = outcome.payments.filter((p) => !p.final).map((p) => p.paymentTxId);
        throw new OpsError(`${stuck.length} reprocessed payment(s) are still PENDING after ${opts.timeout} s: ${stuck.join(', ')}.`, {
          code: 'REPROCESS_UNVERIFIED',
          hint: 'The saga may be slow or stuck: check `ticketctl consumers lag` and `ticketctl health`; the payments keep going and need no second reprocess.',
        });
      }
    },
    dbRoleFor(opts),
  );
}
