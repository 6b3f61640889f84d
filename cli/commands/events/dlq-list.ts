import { resolveOutput } from '../../shared/ui.ts';
import { DLQ_TOPIC } from './dlq-reader.ts';
import { selectDlq, type DlqFlags } from './dlq-select.ts';
import type { Globals } from '../../shared/globals.ts';

// `ticketctl events dlq list`: the dead letters of payment.dlq with why each died. Reading
// only; exit 0 whatever it finds (the DLQ having messages is the normal state after an
// incident; `replay` acts on them).

export async function run(g: Globals, opts: DlqFlags & { output?: string }): Promise<void> {
  const sel = await selectDlq(g, opts);
  const c = await g.context();
  const { ui } = g;
  const views = sel.selected.map((s) => s.view);
  if (resolveOutput(opts.output, ui.isTty) === 'json') {
    ui.json({ context: c.name, topic: DLQ_TOPIC, filters: sel.filters, total: sel.total, truncated: sel.truncated, messages: views });
    return;
  }
  if (!views.length) {
    ui.out(`No dead letters in ${DLQ_TOPIC} match.`);
    return;
  }
  ui.table(
    ['ID', 'TIME', 'FROM', 'KEY', 'ATTEMPTS', 'REPLAYED', 'ERROR'],
    views.map((v) => [
      v.id,
      v.timestamp,
      v.originalTopic ? `${v.originalTopic}/${v.originalPartition ?? '?'}@${v.originalOffset ?? '?'}` : '-',
      v.key ?? '-',
      v.attempts === null ? '-' : String(v.attempts),
      v.replayedAt ? 'yes' : v.replayOf ? `again (of ${v.replayOf})` : 'no',
      (v.error ?? '-').slice(0, 80),
    ]),
  );
  ui.out();
  ui.out(
    `${views.length} of ${sel.total} shown${sel.truncated ? ' (raise --limit or narrow the filters)' : ''}. Details: \`ticketctl events dlq inspect <ID>\`; republish: \`ticketctl events dlq replay <same filters> --dry-run\`.`,
  );
}
