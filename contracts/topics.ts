// Kafka topic names of the payment saga (report section 1). One place: the service, the
// stack provisioner and ticketctl all import these, so a rename cannot drift.
export const TOPICS = {
  paymentTry: 'payment.try',
  paymentSuccess: 'payment.success',
  paymentRetry: 'payment.retry',
  paymentFailure: 'payment.failure',
  paymentCancel: 'payment.cancel',
  paymentDlq: 'payment.dlq',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

export const ALL_TOPICS: readonly TopicName[] = Object.values(TOPICS);

// Report 2.0.2: replication factor 3, min ISR 2, 3 partitions per topic (4.1.2).
export const TOPIC_LAYOUT = { partitions: 3, replicationFactor: 3, minInsyncReplicas: 2 } as const;

export const CONSUMER_GROUP = 'ticketing-consumer-group';

/**
 * Each service instance's payment status view (service/status-view/) reads the saga's
 * topics in its own group, `<prefix><instanceId>`, from a window back in the log on every
 * start: its lag is no backlog, so `ticketctl consumers lag --all-groups` leaves these
 * groups out.
 */
export const STATUS_VIEW_GROUP_PREFIX = 'ticketing-status-view-';

/**
 * ticketctl's and the drills' throwaway readers (clients/topic-reader.ts) join a group of
 * their own, `<prefix><purpose>-<uuid>`, commit nothing and delete the group when done.
 * `consumers lag` never judges these groups, nor those left by versions before the reader
 * deleted its group (the legacy prefixes).
 */
export const READER_GROUP_PREFIX = 'ticketctl-reader-';
const LEGACY_READER_GROUP_PREFIXES = ['ticketctl-dlq-reader-', 'drill-dlq-reader-'];

/** A group that is no application's consumer: a status view's or a throwaway reader's. */
export function isOperationalGroup(groupId: string): boolean {
  return [STATUS_VIEW_GROUP_PREFIX, READER_GROUP_PREFIX, ...LEGACY_READER_GROUP_PREFIXES].some((p) => groupId.startsWith(p));
}
