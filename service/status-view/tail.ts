import type { Consumer, Kafka } from 'kafkajs';
import { InvalidEnvelopeError, STATUS_VIEW_GROUP_PREFIX, parseEnvelope } from '../../contracts/index.ts';
import { STATUS_VIEW_TOPICS, type StatusView } from './status-view.ts';

// Feeds the status view (status-view.ts) from Kafka: one consumer per instance, in its own
// group `ticketing-status-view-<instanceId>` so it never takes partitions from the saga's
// group (each instance must see every partition, not a share).
//
// Where it reads from: the view is in memory, so every start (and every restart after a
// crash) seeks each partition back to the first event of the last `lookbackMs` (default
// 15 min, far past a payment's 180 s deadline: the polls the fallback serves are of
// payments just made), found by timestamp (admin.fetchTopicOffsetsByTimestamp). Not the
// whole retained log: replaying days of events on every instance start costs CPU
// and broker reads at exactly the moment (a deploy, a crash loop, a broker failover) the
// stack can least afford them. While running it commits its offsets, so a rejoin of the
// group (a coordinator moving to another broker) resumes where it was instead of jumping
// to the newest offset and missing the events in between.
//
// It must never keep the service from starting or serving: start() returns at once and
// connects in the background, retrying until stop(); a crash kafkajs does not restart by
// itself is restarted here. Unparseable messages are skipped (the saga dead-letters them).

export interface StatusViewTail {
  start(): void;
  stop(): Promise<void>;
}

export interface StatusViewTailOptions {
  kafka: Kafka;
  view: StatusView;
  instanceId: string;
  onApplied?: () => void;
  onError?: (err: unknown) => void;
  /** Pause before connecting again after a failure. */
  retryMs?: number;
  /** How far back in the log each start reads (STATUS_VIEW_LOOKBACK_MS). */
  lookbackMs?: number;
}

export const DEFAULT_LOOKBACK_MS = 15 * 60_000;

type Offsets = Array<{ topic: string; partition: number; offset: string }>;

/** Per topic and partition, the offset of the first event at or after `since` (the end offset when none is). */
async function offsetsSince(kafka: Kafka, since: number): Promise<Offsets> {
  const admin = kafka.admin({ retry: { retries: 3, initialRetryTime: 300, maxRetryTime: 3000 } });
  await admin.connect();
  try {
    const out: Offsets = [];
    for (const topic of STATUS_VIEW_TOPICS) for (const p of await admin.fetchTopicOffsetsByTimestamp(topic, since)) out.push({ topic, partition: p.partition, offset: p.offset });
    return out;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

export const statusViewGroup = (instanceId: string) => `${STATUS_VIEW_GROUP_PREFIX}${instanceId}`;

export function createStatusViewTail(o: StatusViewTailOptions): StatusViewTail {
  const retryMs = o.retryMs ?? 5000;
  const lookbackMs = o.lookbackMs ?? DEFAULT_LOOKBACK_MS;
  let consumer: Consumer | undefined;
  let stopped = true;
  let timer: NodeJS.Timeout | undefined;

  function later(): void {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => void run(), retryMs);
    timer.unref();
  }

  async function run(): Promise<void> {
    if (stopped) return;
    const c = o.kafka.consumer({
      groupId: statusViewGroup(o.instanceId),
      sessionTimeout: 10_000,
      heartbeatInterval: 3000,
      maxWaitTimeInMs: 200,
      retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 5000 },
    });
    consumer = c;
    c.on(c.events.CRASH, (e) => {
      o.onError?.(e.payload.error);
      if (e.payload.restart || consumer !== c) return;
      consumer = undefined;
      void c
        .disconnect()
        .catch(() => {})
        .finally(later);
    });
    try {
      const start = await offsetsSince(o.kafka, Date.now() - lookbackMs);
      await c.connect();
      await c.subscribe({ topics: STATUS_VIEW_TOPICS, fromBeginning: false });
      await c.run({
        // A resume point only needs to be recent, not exact (a re-read changes nothing):
        // committing at most every 5 s keeps three instances' views from filling
        // __consumer_offsets, which a broker taking over a coordinator must load first.
        autoCommitInterval: 5000,
        partitionsConsumedConcurrently: 3,
        eachMessage: async ({ topic, message }) => {
          let event;
          try {
            event = parseEnvelope(message.value);
          } catch (err) {
            if (err instanceof InvalidEnvelopeError) return;
            throw err;
          }
          if (o.view.apply(topic, event)) o.onApplied?.();
        },
      });
      // After run(), which joined the group; an event read before the seek is read again, which changes nothing.
      for (const p of start) c.seek(p);
    } catch (err) {
      o.onError?.(err);
      if (consumer === c) {
        consumer = undefined;
        await c.disconnect().catch(() => {});
        later();
      }
    }
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      void run();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      const c = consumer;
      consumer = undefined;
      await c?.disconnect().catch(() => {});
    },
  };
}
