import { ExitError } from '../../shared/exit-code.ts';
import { resolveOutput } from '../../shared/ui.ts';
import { readDuplicateReport } from './duplicate-sources.ts';
import type { DuplicateReport } from './duplicate-report.ts';
import { withServiceDb, gatewayFor } from '../../../clients/index.ts';
import { parseWindow, windowJson, type TimeWindow } from '../../shared/time-window.ts';
import type { Globals } from '../../shared/globals.ts';

// `ticketctl payments duplicates` (report 4.3.1, detection). Reading only; exit 1 when
// anything is found, because a duplicate or an orphan charge is an incident.

export interface WindowFlags {
  since?: string;
  until?: string;
}

export const DEFAULT_DUPLICATE_WINDOW = '1h';

export async function run(g: Globals, opts: WindowFlags & { output?: string }): Promise<void> {
  const w = parseWindow(opts, new Date(), DEFAULT_DUPLICATE_WINDOW);
  const c = await g.context();
  const report = await withServiceDb(c, (pool) => g.ui.progress.step('read payments and the gateway ledger', () => readDuplicateReport(pool, gatewayFor(c), w)));
  const { ui } = g;
  if (resolveOutput(opts.output, ui.isTty) === 'json') ui.json({ context: c.name, window: windowJson(w), ...report });
  else printReport(g, report, w);
  if (!report.clean) {
    throw new ExitError(
      1,
      `Found ${report.summary.duplicates} duplicate payment(s) and ${report.summary.orphanCharges} orphan charge(s). Next: \`ticketctl payments refund-duplicates ${windowArgs(opts)}--dry-run\`${report.summary.orphanCharges ? ' (add --include-orphans to refund the orphan charges too)' : ''}.`,
    );
  }
}

export function windowArgs(opts: WindowFlags): string {
  return `${opts.since ? `--since ${opts.since} ` : ''}${opts.until ? `--until ${opts.until} ` : ''}`;
}

function printReport(g: Globals, r: DuplicateReport, w: TimeWindow): void {
  const { ui } = g;
  const c = ui.color;
  ui.out(`Window: ${w.since.toISOString()} .. ${w.until.toISOString()}`);
  if (r.groups.length) {
    ui.out();
    ui.table(
      ['USER', 'SEAT', 'PAYMENT', 'ROLE', 'AMOUNT', 'CREATED', 'UPDATED', 'CHARGE'],
      r.groups.flatMap((grp) =>
        [grp.kept, ...grp.duplicates].map((p) => [
          p.userId,
          String(p.seatId),
          p.paymentTxId,
          p.role === 'kept' ? c.green('kept') : c.red('duplicate'),
          String(p.amount),
          p.createdAt,
          p.updatedAt,
          p.gatewayChargeId === null ? '-' : String(p.gatewayChargeId),
        ]),
      ),
    );
  }
  if (r.orphanCharges.length) {
    ui.out();
    ui.out(c.bold('Orphan charges (gateway charged, no successful payment accounts for it):'));
    ui.table(
      ['CHARGE', 'PAYMENT', 'AMOUNT', 'CREATED', 'SERVICE STATUS', 'WHY'],
      r.orphanCharges.map((o) => [String(o.chargeId), o.paymentTxId, `${o.amount} ${o.currency}`, o.createdAt, o.paymentStatus ?? '-', o.why]),
    );
  }
  ui.out();
  const s = r.summary;
  ui.out(
    r.clean
      ? c.green('Clean: no duplicate payments, no orphan charges.')
      : c.red(`${s.pairs} pair(s) paid more than once: ${s.duplicates} duplicate(s), ${s.duplicateAmount} to refund; ${s.orphanCharges} orphan charge(s), ${s.orphanAmount}.`),
  );
  if (r.inFlightCharges) ui.out(c.dim(`${r.inFlightCharges} charge(s) belong to payments still PENDING (the saga is recording them); not counted.`));
}
