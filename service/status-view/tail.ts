import type { Consumer, Kafka } from 'kafkajs';
import { InvalidEnvelopeError, STATUS_VIEW_GROUP_PREFIX, parseEnvelope } from '../../contracts/index.ts';
import { STATUS_VIEW_TOPICS, type StatusView } from './status-view.ts';

// Feeds the status view (status-view.ts) from Kafka: one consumer per instance, in its own
// group `ticketing-status-view-<instanceId>` so it never takes partitions from the saga's
// group (each instance must see every partition, not a share). It never commits
// (autoCommit off): a group without committed offsets starts at the beginning
// (fromBeginning), so every start rebuilds the view from the whole retained log, and an
// empty group with no offsets is soon forgotten by the coordinator.
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
}

export const statusViewGroup = (instanceId: string) => `${STATUS_VIEW_GROUP_PREFIX}${instanceId}`;

export function createStatusViewTail(o: StatusViewTailOptions): StatusViewTail {
  const retryMs = o.retryMs ?? 5000;
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
      await c.connect();
      await c.subscribe({ topics: STATUS_VIEW_TOPICS, fromBeginning: true });
      await c.run({
        autoCommit: false,
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
