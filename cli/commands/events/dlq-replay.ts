import os from 'node:os';
import { runMutation, type MutationFlags, type Plan } from '../../shared/mutation.ts';
import { contextKafka, withServiceDb } from '../../../clients/index.ts';
import { replayHeaders, replaySkipReason } from './dlq-message.ts';
import { DLQ_TOPIC } from './dlq-reader.ts';
import { recordReplay } from './dlq-replays.ts';
import { selectDlq, type DlqFlags, type DlqSelection } from './dlq-select.ts';
import type { Globals } from '../../shared/globals.ts';

// `ticketctl events dlq replay`: republish the selected dead letters to their original
// topics, key, value and headers as they were (the dlq-* bookkeeping dropped, a
// `dlq-replay-of` header added), then record each in ticketctl_dlq_replays so a second
// replay of the same selection does nothing. Unparseable values are skipped: the consumer
// would dead-letter them again at once.

export interface ReplayItem {
  id: string;
  originalTopic: string;
  key: string | null;
  eventId: string | null;
  eventType: string | null;
  error: string | null;
}

export interface ReplayPlanData {
  filters: DlqSelection['filters'];
  replay: ReplayItem[];
  skipped: Array<{ id: string; reason: string }>;
}

export function replayPlan(sel: DlqSelection): Plan<ReplayPlanData> {
  const replay: ReplayItem[] = [];
  const skipped: Array<{ id: string; reason: string }> = [];
  for (const { view: v } of sel.selected) {
    const why = replaySkipReason(v);
    if (why) skipped.push({ id: v.id, reason: why });
    else replay.push({ id: v.id, originalTopic: v.originalTopic!, key: v.key, eventId: v.eventId, eventType: v.eventType, error: v.error });
  }
  const notes = skipped.map((s) => `skip ${s.id}: ${s.reason}`);
  if (sel.truncated) notes.push(`only the first ${sel.filters.limit} of ${sel.total} matching dead letters are in this plan (--limit)`);
  if (replay.length) notes.push('a replayed message that fails again lands in the DLQ again, with a dlq-replay-of header naming this one');
  return {
    title: `replay ${replay.length} dead letter(s) from ${DLQ_TOPIC}${skipped.length ? `, skip ${skipped.length}` : ''}`,
    steps: replay.map((r) => `republish ${DLQ_TOPIC} ${r.id} to ${r.originalTopic} (key ${r.key ?? '-'}, ${r.eventType ?? 'event'} ${r.eventId ?? ''}; died of: ${(r.error ?? '-').slice(0, 120)})`),
    data: { filters: sel.filters, replay, skipped },
    notes,
    rollback: replay.length ? 'none: the saga dedupes by event id, so a replayed event that was already handled has no second effect' : undefined,
  };
}

export async function run(g: Globals, opts: DlqFlags & MutationFlags): Promise<void> {
  const sel = await selectDlq(g, opts);
  const c = await g.context();
  const plan = replayPlan(sel);
  const byId = new Map(sel.selected.map((s) => [s.view.id, s.raw]));
  await runMutation(
    g,
    c,
    opts,
    plan,
    async () => {
      const replayed: Array<{ id: string; topic: string }> = [];
      const producer = contextKafka(c, { clientId: 'ticketctl-dlq-replay' }).producer({ idempotent: true, maxInFlightRequests: 1 });
      await withServiceDb(
        c,
        async (pool) => {
          await producer.connect();
          try {
            for (const item of plan.data.replay) {
              const raw = byId.get(item.id)!;
              await g.ui.progress.step(`republish ${item.id} to ${item.originalTopic}`, () =>
                producer.send({ topic: item.originalTopic, acks: -1, messages: [{ key: raw.key, value: raw.value, headers: replayHeaders(raw, DLQ_TOPIC, new Date()) }] }),
              );
              // Sent, then recorded: a crash in between replays it once more next time (harmless, see dlq-replays.ts).
              await recordReplay(pool, {
                dlqTopic: DLQ_TOPIC,
                partition: raw.partition,
                offset: raw.offset,
                originalTopic: item.originalTopic,
                key: item.key,
                eventId: item.eventId,
                by: `${os.userInfo().username}@${os.hostname()}`,
              });
              replayed.push({ id: item.id, topic: item.originalTopic });
            }
          } finally {
            await producer.disconnect().catch(() => {});
          }
        },
        'operator',
      );
      return { replayed };
    },
    (r) => [...r.replayed.map((x) => `${x.id} -> ${x.topic}`), 'Follow up: `ticketctl events dlq list --since 10m` shows any that died again (REPLAYED "again").'],
  );
}
