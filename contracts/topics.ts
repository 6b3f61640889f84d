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
