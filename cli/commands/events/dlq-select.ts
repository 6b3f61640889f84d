import { UsageError } from '../../../lib/index.ts';
import { withServiceDb } from '../../../clients/index.ts';
import { parseTimeFlag } from '../../shared/time-window.ts';
import { matches, toView, type DlqFilters, type DlqView, type RawDlqMessage } from './dlq-message.ts';
import { DLQ_TOPIC, readDlq } from './dlq-reader.ts';
import { replayedMessages } from './dlq-replays.ts';
import type { Globals } from '../../shared/globals.ts';

// The selection `events dlq list` shows and `events dlq replay` acts on: every dead letter,
// read to the end, filtered, oldest first, at most --limit.

export interface DlqFlags {
  topic?: string;
  since?: string;
  error?: string;
  key?: string;
  limit: number;
}

export interface DlqSelection {
  filters: { topic: string | null; since: string | null; error: string | null; key: string | null; limit: number };
  /** Dead letters matching the filters, before --limit. */
  total: number;
  truncated: boolean;
  selected: Array<{ raw: RawDlqMessage; view: DlqView }>;
}

export function filtersOf(opts: DlqFlags): DlqFilters {
  if (opts.error !== undefined && opts.error.trim() === '') throw new UsageError('--error needs some text to look for.', 'For example: --error "does not exist".');
  return { topic: opts.topic, since: opts.since === undefined ? undefined : parseTimeFlag('--since', opts.since, new Date()), error: opts.error, key: opts.key };
}

export async function selectDlq(g: Globals, opts: DlqFlags): Promise<DlqSelection> {
  const f = filtersOf(opts);
  const c = await g.context();
  const raw = await g.ui.progress.step(
    `read ${DLQ_TOPIC}`,
    () => readDlq(c, g.signal),
    (m) => `${m.length} message(s)`,
  );
  const replayed = await withServiceDb(c, (pool) => replayedMessages(pool, DLQ_TOPIC));
  const all = raw.map((m) => ({ raw: m, view: toView(m, replayed) })).filter((x) => matches(x.view, f));
  return {
    filters: { topic: f.topic ?? null, since: f.since?.toISOString() ?? null, error: f.error ?? null, key: f.key ?? null, limit: opts.limit },
    total: all.length,
    truncated: all.length > opts.limit,
    selected: all.slice(0, opts.limit),
  };
}
