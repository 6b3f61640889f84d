import { OpsError } from '../../../lib/index.ts';
import { resolveOutput } from '../../shared/ui.ts';
import { withServiceDb } from '../../../clients/index.ts';
import { parsePosition, toView } from './dlq-message.ts';
import { DLQ_TOPIC, readDlq } from './dlq-reader.ts';
import { replayedMessages } from './dlq-replays.ts';
import type { Globals } from '../../shared/globals.ts';

// `ticketctl events dlq inspect <partition:offset>`: one dead letter in full: every header,
// where it came from, the error, the attempts, and the payload pretty-printed.

export async function run(g: Globals, position: string, opts: { output?: string }): Promise<void> {
  const pos = parsePosition(position);
  const c = await g.context();
  const raw = (await readDlq(c, g.signal)).find((m) => m.partition === pos.partition && m.offset === pos.offset);
  if (!raw) throw new OpsError(`No dead letter at ${position} in ${DLQ_TOPIC}.`, { code: 'NOT_FOUND', hint: 'List them with `ticketctl events dlq list` and use the ID column.' });
  const view = toView(raw, await withServiceDb(c, (pool) => replayedMessages(pool, DLQ_TOPIC)));
  const text = raw.value === null ? null : raw.value.toString('utf8');
  let payload: unknown;
  try {
    payload = text === null ? null : JSON.parse(text);
  } catch {
    payload = null; // not JSON: `value` holds the text as it is
  }
  const { ui } = g;
  if (resolveOutput(opts.output, ui.isTty) === 'json') {
    ui.json({ context: c.name, topic: DLQ_TOPIC, ...view, headers: raw.headers, payload, value: text });
    return;
  }
  const c2 = ui.color;
  ui.out(`${c2.bold(`${DLQ_TOPIC} ${view.id}`)}  (${view.timestamp})`);
  ui.out(`  from:      ${view.originalTopic ?? '-'} partition ${view.originalPartition ?? '-'} offset ${view.originalOffset ?? '-'}`);
  ui.out(`  error:     ${view.error ?? '-'}`);
  ui.out(`  attempts:  ${view.attempts ?? '-'}, failed at ${view.failedAt ?? '-'} on ${view.consumer ?? '-'}`);
  ui.out(`  key:       ${view.key ?? '-'}`);
  ui.out(`  event:     ${view.eventType ?? '-'} ${view.eventId ?? ''}${view.parseable ? '' : c2.red(` (does not parse: ${view.parseError})`)}`);
  ui.out(`  replayed:  ${view.replayedAt ?? 'no'}${view.replayOf ? `; this is itself a replay of ${view.replayOf}` : ''}`);
  ui.out('  headers:');
  for (const [k, v] of Object.entries(raw.headers)) ui.out(`    ${k}: ${v}`);
  ui.out('  payload:');
  const body = payload === null ? (text ?? '(empty)') : JSON.stringify(payload, null, 2);
  for (const line of body.split('\n')) ui.out(`    ${line}`);
}
