import type { Pool, RowDataPacket } from 'mysql2/promise';
import { OpsError, UsageError, WaitTimeoutError, waitFor } from '../../../lib/index.ts';
import { EVENT_TYPES } from '../../../contracts/index.ts';
import { requestOperatorCancel } from '../../../service/index.ts';
import { dbRoleFor, runMutation, type MutationFlags } from '../../shared/mutation.ts';
import { withServiceDb, gatewayFor } from '../../../clients/index.ts';
import { cancelPlan, type CancelTarget, type ChargeLeft } from './cancel-plan.ts';
import { UUID } from '../events/reprocess.ts';
import type { Globals } from '../../shared/globals.ts';

// `ticketctl payments cancel <paymentTxId> --reason <text>`: the customer's cancel, made by
// an operator for a customer who cannot make it (a hold from before hold secrets existed, a
// lost secret, a support case). It records the request as the customer's cancel does (the
// service's store, requestOperatorCancel, with who and why), so the saga refunds and puts
// the seat back exactly as for any cancel; then it waits until the payment is CANCELLED.

export interface CancelFlags extends MutationFlags {
  reason: string;
  timeout: number;
}

const BY = 'ticketctl payments cancel';

export interface CancelOutcome {
  recorded: 'requested' | 'already-requested';
  status: string;
  final: boolean;
}

export async function run(g: Globals, paymentTxId: string, opts: CancelFlags): Promise<void> {
  if (!UUID.test(paymentTxId)) throw new UsageError(`${paymentTxId} is not a payment id (a UUID).`, 'Copy the paymentTxId from the customer, the service logs or `ticketctl payments duplicates`.');
  const reason = opts.reason.trim();
  if (reason.length < 3 || reason.length > 200) throw new UsageError('--reason must say why, in 3 to 200 characters.', 'For example: --reason "ticket #4711: hold made before hold secrets"');
  const c = await g.context();
  const gateway = gatewayFor(c);
  await withServiceDb(
    c,
    async (pool) => {
      const target = await g.ui.progress.step(`read payment ${paymentTxId}`, () => readTarget(pool, paymentTxId));
      const charges = await g.ui.progress.step('list its charges at the gateway', async (): Promise<ChargeLeft[]> =>
        (await gateway.getCharges(paymentTxId)).filter((ch) => ch.status === 'CHARGED').map((ch) => ({ chargeId: ch.id, left: ch.amount - ch.refundedAmount })),
      );
      if (target.status === 'PENDING')
        throw new OpsError(`Payment ${paymentTxId} is still PENDING: the saga has not decided it yet, so there is nothing to cancel.`, {
          code: 'NOT_CANCELLABLE',
          hint: 'Wait for it to end (SUCCESS can then be cancelled); one still PENDING past its deadline is failed and refunded by the service itself.',
        });
      const plan = cancelPlan(target, charges, reason);
      const outcome = await runMutation(
        g,
        c,
        opts,
        plan,
        async (): Promise<CancelOutcome> => {
          const r = await g.ui.progress.step('record the cancel request', () => requestOperatorCancel({ pool, acquireTimeoutMs: 5000 }, paymentTxId, { by: BY, reason }));
          if (r.outcome === 'not-found') throw new OpsError(`Payment ${paymentTxId} is gone.`, { code: 'PAYMENT_NOT_FOUND' });
          if (r.outcome === 'not-cancellable')
            throw new OpsError(`Payment ${paymentTxId} became ${r.payment.status} meanwhile; nothing was recorded.`, { code: 'NOT_CANCELLABLE', hint: 'Run the command again to see its state.' });
          let status = r.payment.status as string;
          try {
            await g.ui.progress.step('wait until the saga has refunded and cancelled it', () =>
              waitFor(
                async () => {
                  status = (await readTarget(pool, paymentTxId)).status;
                  return status !== 'SUCCESS';
                },
                { timeoutMs: opts.timeout * 1000, intervalMs: 500, what: `payment ${paymentTxId} to be cancelled`, signal: g.signal },
              ),
            );
          } catch (err) {
            if (!(err instanceof WaitTimeoutError)) throw err;
          }
          return { recorded: r.outcome, status, final: status !== 'SUCCESS' };
        },
        (r) => [`${paymentTxId}: ${r.status}${r.recorded === 'already-requested' ? ' (the cancel was already recorded)' : ''}`],
      );
      if (outcome && !outcome.final)
        throw new OpsError(`Payment ${paymentTxId} is still SUCCESS ${opts.timeout} s after its cancel was recorded.`, {
          code: 'CANCEL_UNVERIFIED',
          hint: 'The request is recorded and needs no second cancel: the saga may be slow or stuck (`ticketctl consumers lag`, `ticketctl health`), or it dead-lettered the payment.cancel event (`ticketctl events dlq list`).',
        });
    },
    dbRoleFor(opts),
  );
}

async function readTarget(pool: Pool, paymentTxId: string): Promise<CancelTarget> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT p.payment_tx_id, p.user_id, p.seat_id, p.hold_id, p.amount, p.status, h.secret_hash IS NOT NULL AS has_secret,
            EXISTS (SELECT 1 FROM event_store e WHERE e.aggregate_id = p.payment_tx_id AND e.event_type = ?) AS cancel_requested
       FROM payment_transactions p LEFT JOIN holds h ON h.id = p.hold_id WHERE p.payment_tx_id = ?`,
    [EVENT_TYPES.paymentCancelRequested, paymentTxId],
  );
  const r = rows[0];
  if (!r) throw new UsageError(`No payment ${paymentTxId} in the service database.`, 'Check the id, and that the context (--context) is the deployment the customer paid on.');
  return {
    paymentTxId: String(r.payment_tx_id),
    userId: String(r.user_id),
    seatId: Number(r.seat_id),
    holdId: String(r.hold_id),
    amount: Number(r.amount),
    status: String(r.status),
    holdHasSecret: Number(r.has_secret) === 1,
    cancelRequested: Number(r.cancel_requested) === 1,
  };
}
