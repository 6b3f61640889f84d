import type { Pool } from 'mysql2/promise';
import { OpsError } from '../../../lib/index.ts';
import { EVENT_TYPES } from '../../../contracts/index.ts';
import type { GatewayClient, Refunder } from '../../../service/index.ts';
import { refundAndRelease, refunderFor } from '../../../service/index.ts';
import { dbRoleFor, runMutation, type MutationFlags } from '../../shared/mutation.ts';
import { readDuplicateReport } from './duplicate-sources.ts';
import { DEFAULT_DUPLICATE_WINDOW, windowArgs, type WindowFlags } from './duplicates.ts';
import { refundPlan, type DuplicateRefund, type PaymentCharge } from './refund-plan.ts';
import { withServiceDb, gatewayFor } from '../../../clients/index.ts';
import { parseWindow, windowJson } from '../../shared/time-window.ts';
import { type Globals } from '../../shared/globals.ts';

// `ticketctl payments refund-duplicates` (report 4.3.1, the fix). The same refund-and-release
// steps as the saga's compensation (service/store/refund-and-release.ts, move
// refundDuplicate): the money first, through the service's refund path (the refund recorded
// in the service database, then the gateway called with the charge's one key), then, under the payment's row lock and only from SUCCESS, the row marked
// REFUNDED and PaymentRefunded appended to the event store; the hold and seat stay with the
// kept payment. A crash in between leaves the row SUCCESS, so a rerun plans it again and
// the refund replays. The saga publishes no Kafka event for refunds (they live in the event
// store), so neither does this command.

export interface RefundFlags extends WindowFlags, MutationFlags {
  includeOrphans?: boolean;
}

export interface RefundOutcome {
  refunded: Array<{ paymentTxId: string; chargeIds: number[]; refundIds: number[]; marked: boolean; note: string | null }>;
  orphansRefunded: Array<{ chargeId: number; refundId: number }>;
}

export async function run(g: Globals, opts: RefundFlags): Promise<void> {
  const w = parseWindow(opts, new Date(), DEFAULT_DUPLICATE_WINDOW);
  const c = await g.context();
  const gateway = gatewayFor(c);
  await withServiceDb(
    c,
    async (pool) => {
      const report = await g.ui.progress.step('read payments and the gateway ledger', () => readDuplicateReport(pool, gateway, w));
      const dupIds = report.groups.flatMap((grp) => grp.duplicates.map((d) => d.paymentTxId));
      const chargesOf = await g.ui.progress.step("list the duplicates' charges at the gateway", () => chargesByPayment(gateway, dupIds));
      const plan = refundPlan(report, chargesOf, windowJson(w), opts.includeOrphans === true, windowArgs(opts));
      await runMutation(
        g,
        c,
        opts,
        plan,
        () =>
          applyRefunds(
            g,
            pool,
            gateway,
            plan.data.duplicates,
            plan.data.orphans.filter((o) => o.action === 'refund'),
          ),
        (r) => [
          ...r.refunded.map(
            (x) =>
              `${x.paymentTxId}: ${x.marked ? 'REFUNDED' : 'not marked'}${x.chargeIds.length ? `, charge(s) ${x.chargeIds.join(', ')} refunded (refund ${x.refundIds.join(', ')})` : ''}${x.note ? ` (${x.note})` : ''}`,
          ),
          ...r.orphansRefunded.map((o) => `orphan charge ${o.chargeId}: refunded (refund ${o.refundId})`),
          `Verify: \`ticketctl payments duplicates ${windowArgs(opts)}\` exits 0 when nothing is left.`,
        ],
      );
    },
    dbRoleFor(opts),
  );
}

async function chargesByPayment(gateway: GatewayClient, paymentTxIds: string[]): Promise<Map<string, PaymentCharge[]>> {
  const out = new Map<string, PaymentCharge[]>();
  for (const id of paymentTxIds) {
    const charges = await gateway.getCharges(id);
    out.set(
      id,
      charges.filter((ch) => ch.status === 'CHARGED').map((ch) => ({ chargeId: ch.id, amount: ch.amount - ch.refundedAmount, refunded: ch.refundedAmount >= ch.amount })),
    );
  }
  return out;
}

async function applyRefunds(g: Globals, pool: Pool, gateway: GatewayClient, duplicates: DuplicateRefund[], orphans: Array<{ chargeId: number; paymentTxId: string; amount: number }>): Promise<RefundOutcome> {
  const db = { pool, acquireTimeoutMs: 5000 };
  const refunder = refunderFor(db, gateway);
  const outcome: RefundOutcome = { refunded: [], orphansRefunded: [] };
  for (const d of duplicates) {
    const chargeIds = [...d.alreadyRefunded, ...d.refunds.map((r) => r.chargeId)];
    const { refunded: refundIds, result } = await refundAndRelease(
      db,
      async () => {
        const ids: number[] = [];
        for (const r of d.refunds) {
          const charge = { id: r.chargeId, paymentTxId: d.paymentTxId, amount: r.amount, refundedAmount: 0, status: 'CHARGED' as const };
          const answer = await g.ui.progress.step(`refund charge ${r.chargeId} of ${d.paymentTxId}`, () => refundOrExplain(refunder, charge, 'duplicate'));
          if (answer !== null) ids.push(answer);
        }
        return ids;
      },
      (ids) => ({
        paymentTxId: d.paymentTxId,
        move: 'refundDuplicate',
        records: () => [{ type: EVENT_TYPES.paymentRefunded, data: { chargeIds, refundIds: ids, reason: 'duplicate', keptPaymentTxId: d.keptPaymentTxId, by: 'ticketctl payments refund-duplicates' } }],
      }),
    );
    // The store locks the row, checks it is still SUCCESS and rolls back unless exactly one row changed.
    const marked = result.settled ? 'REFUNDED' : (result.status ?? 'missing');
    outcome.refunded.push({ paymentTxId: d.paymentTxId, chargeIds, refundIds, marked: marked === 'REFUNDED', note: marked === 'REFUNDED' ? null : `its status changed to ${marked} meanwhile; left as it is` });
  }
  for (const o of orphans) {
    const charge = { id: o.chargeId, paymentTxId: o.paymentTxId, amount: o.amount, refundedAmount: 0, status: 'CHARGED' as const };
    const answer = await g.ui.progress.step(`refund orphan charge ${o.chargeId}`, () => refundOrExplain(refunder, charge, 'reconciliation'));
    outcome.orphansRefunded.push({ chargeId: o.chargeId, refundId: answer ?? 0 });
  }
  return outcome;
}

/** The refund id, or null when the gateway held the charge refunded already under another key. */
async function refundOrExplain(refunder: Refunder, charge: Parameters<Refunder['refund']>[0], reason: 'duplicate' | 'reconciliation'): Promise<number | null> {
  const r = await refunder.refund(charge, reason, `ticketctl payments refund-duplicates`);
  if (r.outcome === 'refunded') return r.refundId;
  throw new OpsError(`The gateway refused or did not answer the refund of charge ${charge.id}: ${r.error}.`, {
    code: 'REFUND_FAILED',
    retriable: r.retriable,
    hint: 'Refunds already made stay made and rows already marked stay marked; the refund is recorded in the service database and the reconciler finishes it once the gateway answers; or fix the gateway (`ticketctl health`) and run the same command again: each charge has one refund key, nothing is refunded twice.',
  });
}
