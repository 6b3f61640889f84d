import type { Consumer, EachBatchPayload, EachMessagePayload, IHeaders, Kafka, Producer } from 'kafkajs';
import { CONSUMER_GROUP, TOPICS, parseEnvelope, InvalidEnvelopeError } from '../../contracts/index.ts';
import { DependencyUnavailableError } from '../errors.ts';
import type { Saga } from './saga.ts';

// Runs the saga's handlers on the consumer group (report 2.0.2: `ticketing-consumer-group`,
// one consumer per instance; Kafka reassigns a dead instance's partitions).
//
// Failure handling, without ever sleeping in a partition loop:
// - a message that does not parse goes to payment.dlq at once, with the reason;
// - a dependency outage (database, gateway) is not the message's fault: the partition is
//   paused for a moment and the message redelivered, as often as it takes;
// - any other error is retried twice more the same way, then the message goes to the DLQ
//   (report 5.2 #1: after 3 attempts) and the partition moves on.

export const SAGA_TOPICS = [TOPICS.paymentTry, TOPICS.paymentRetry, TOPICS.paymentFailure, TOPICS.paymentCancel];

/** Report 4.2.2: normal and emergency consumer settings. */
export const CONSUMER_PROFILES = {
  normal: { maxWaitTimeInMs: 500, sessionTimeout: 30_000, heartbeatInterval: 3000, maxBytesPerPartition: 1_048_576 },
  emergency: { maxWaitTimeInMs: 100, sessionTimeout: 10_000, heartbeatInterval: 3000, maxBytesPerPartition: 1_048_576 },
} as const;
export type ConsumerProfile = keyof typeof CONSUMER_PROFILES;

export const MAX_MESSAGE_ATTEMPTS = 3;

/** Offsets processed mid-batch are committed at most this often (and at every batch's end). */
export const COMMIT_INTERVAL_MS = 1000;

export interface SagaConsumerOptions {
  kafka: Kafka;
  producer: Producer;
  saga: Saga;
  instanceId: string;
  profile?: ConsumerProfile;
  groupId?: string;
  /** Pause after a failed attempt before the message is redelivered. */
  redeliveryPauseMs?: number;
  onProcessed?: (topic: string, seconds: number, result: 'ok' | 'retry' | 'dlq') => void;
  onError?: (err: unknown, where: string) => void;
}

export interface SagaConsumer {
  start(): Promise<void>;
  stop(): Promise<void>;
  profile(): ConsumerProfile;
  /** Restarts the consumer with another settings profile (report 4.2.2). */
  switchProfile(profile: ConsumerProfile): Promise<void>;
  consumer(): Consumer | undefined;
}

export function dlqHeaders(p: EachMessagePayload, error: string, attempts: number, instanceId: string): IHeaders {
  return {
    ...p.message.headers,
    'dlq-error': error.slice(0, 1000),
    'dlq-original-topic': p.topic,
    'dlq-original-partition': String(p.partition),
    'dlq-original-offset': p.message.offset,
    'dlq-attempts': String(attempts),
    'dlq-failed-at': new Date().toISOString(),
    'dlq-consumer': instanceId,
  };
}

export function createSagaConsumer(o: SagaConsumerOptions): SagaConsumer {
  let current: Consumer | undefined;
  let profile: ConsumerProfile = o.profile ?? 'normal';
  const attempts = new Map<string, number>();
  const pauseMs = o.redeliveryPauseMs ?? 1000;

  async function toDlq(p: EachMessagePayload, error: string, count: number): Promise<void> {
    await o.producer.send({
      topic: TOPICS.paymentDlq,
      acks: -1,
      messages: [{ key: p.message.key, value: p.message.value, headers: dlqHeaders(p, error, count, o.instanceId) }],
    });
  }

  type Result = 'ok' | 'redeliver' | 'dlq';

  /** Handles one message; never throws for a handler failure, says what to do instead. */
  async function processOne(p: EachMessagePayload): Promise<Result> {
    const key = `${p.topic}/${p.partition}/${p.message.offset}`;
    let event;
    try {
      event = parseEnvelope(p.message.value);
    } catch (err) {
      if (!(err instanceof InvalidEnvelopeError)) throw err;
      await toDlq(p, `unparseable: ${err.message}`, 1);
      return 'dlq';
    }
    try {
      await o.saga.handle(p.topic, event);
      attempts.delete(key);
      return 'ok';
    } catch (err) {
      o.onError?.(err, key);
      const retriable = (err as { retriable?: boolean }).retriable;
      if (err instanceof DependencyUnavailableError || retriable === true) return 'redeliver';
      const n = (attempts.get(key) ?? 0) + 1;
      if (n < MAX_MESSAGE_ATTEMPTS && retriable !== false) {
        attempts.set(key, n);
        return 'redeliver';
      }
      attempts.delete(key);
      await toDlq(p, `${(err as Error).name ?? 'Error'}: ${(err as Error).message ?? String(err)}`, n);
      return 'dlq';
    }
  }

  // eachBatch with manual offset resolution: a message that must be redelivered stays
  // unresolved, its partition pauses for a moment, and kafkajs fetches it again after the
  // resume. The other partitions keep flowing; nothing throws into kafkajs's fetch loop.
  // Its functions are called on the payload (kafkajs's types declare them as methods).
  async function eachBatch(b: EachBatchPayload): Promise<void> {
    const { batch } = b;
    for (const message of batch.messages) {
      if (!b.isRunning() || b.isStale()) break;
      const t0 = performance.now();
      const payload = { topic: batch.topic, partition: batch.partition, message, heartbeat: () => b.heartbeat(), pause: () => b.pause() };
      const result = await processOne(payload);
      o.onProcessed?.(batch.topic, (performance.now() - t0) / 1000, result === 'redeliver' ? 'retry' : result);
      if (result === 'redeliver') {
        const resume = b.pause();
        setTimeout(resume, pauseMs).unref();
        break;
      }
      b.resolveOffset(message.offset);
      // Commit as the batch goes (at most every COMMIT_INTERVAL_MS), not only at its end: a
      // backlog batch can take tens of seconds, and a committed offset that does not move
      // looks stalled to lag monitoring (`ticketctl consumers lag`) and is redone after a crash.
      await b.commitOffsetsIfNecessary();
      await b.heartbeat();
    }
  }

  async function start(): Promise<void> {
    const c = o.kafka.consumer({
      groupId: o.groupId ?? CONSUMER_GROUP,
      ...CONSUMER_PROFILES[profile],
      retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
    current = c;
    await c.connect();
    await c.subscribe({ topics: SAGA_TOPICS, fromBeginning: true });
    await c.run({ partitionsConsumedConcurrently: 3, eachBatchAutoResolve: false, autoCommitInterval: COMMIT_INTERVAL_MS, eachBatch });
  }

  return {
    start,
    async stop() {
      const c = current;
      current = undefined;
      await c?.disconnect();
    },
    profile: () => profile,
    async switchProfile(next) {
      if (next === profile && current) return;
      profile = next;
      await current?.disconnect();
      await start();
    },
    consumer: () => current,
  };
}
