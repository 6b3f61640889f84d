import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

// Prometheus metrics under the report's names (section 3) where it names one; the rest
// follow Prometheus conventions. One registry per service instance (tests make several).

export const METRIC_NAMES = {
  paymentStatus: 'payment_transaction_status_count',
  eventProcessing: 'event_processing_duration',
  dbPoolUsage: 'db_connection_pool_usage',
  consumerLag: 'kafka_consumer_lag_sum',
  breakerOpen: 'circuit_breaker_open',
  redisResponse: 'redis_response_time',
  producerSent: 'kafka_producer_sent_total',
  producerFailed: 'kafka_producer_failed_sends_total',
  paymentRetry: 'payment_retry_count',
  reservations: 'reservation_requests_total',
  lockFallback: 'seat_lock_database_fallback_total',
  outboxPending: 'outbox_pending_events',
  dlq: 'payment_dlq_messages_total',
  httpRequests: 'http_requests_total',
  refunds: 'payment_refunds_total',
  reconciled: 'reconciliation_charges_refunded_total',
  reconcilePasses: 'reconciliation_passes_total',
  reconcileLag: 'reconciliation_cursor_lag_seconds',
  deadlineExpired: 'payment_deadline_expired_total',
  pollFallback: 'payment_poll_fallback_total',
  statusViewEntries: 'payment_status_view_entries',
} as const;

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics(instanceId: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ instance_id: instanceId });
  collectDefaultMetrics({ register: registry });
  const r = { registers: [registry] };
  return {
    registry,
    paymentStatus: new Gauge({ ...r, name: METRIC_NAMES.paymentStatus, help: 'Payment transactions by status (from the database)', labelNames: ['status'] }),
    eventProcessing: new Histogram({
      ...r,
      name: METRIC_NAMES.eventProcessing,
      help: 'Seconds to handle one saga event',
      labelNames: ['topic', 'result'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10],
    }),
    dbPoolUsage: new Gauge({ ...r, name: METRIC_NAMES.dbPoolUsage, help: 'Share of the database pool in use, 0..1' }),
    consumerLag: new Gauge({ ...r, name: METRIC_NAMES.consumerLag, help: 'Sum of the consumer group lag over the saga topics', labelNames: ['topic'] }),
    breakerOpen: new Gauge({ ...r, name: METRIC_NAMES.breakerOpen, help: '1 while the payment gateway circuit breaker is open', labelNames: ['breaker', 'state'] }),
    redisResponse: new Histogram({ ...r, name: METRIC_NAMES.redisResponse, help: 'Seconds for a Redis PING', buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1] }),
    producerSent: new Counter({ ...r, name: METRIC_NAMES.producerSent, help: 'Events published from the outbox' }),
    producerFailed: new Counter({ ...r, name: METRIC_NAMES.producerFailed, help: 'Outbox publish rounds that failed' }),
    paymentRetry: new Counter({ ...r, name: METRIC_NAMES.paymentRetry, help: 'Gateway retries scheduled' }),
    reservations: new Counter({ ...r, name: METRIC_NAMES.reservations, help: 'Seat hold requests by outcome', labelNames: ['outcome'] }),
    lockFallback: new Counter({ ...r, name: METRIC_NAMES.lockFallback, help: 'Holds that used the database lock because Redis was unreachable' }),
    outboxPending: new Gauge({ ...r, name: METRIC_NAMES.outboxPending, help: 'Outbox rows not yet published' }),
    dlq: new Counter({ ...r, name: METRIC_NAMES.dlq, help: 'Messages sent to payment.dlq', labelNames: ['topic'] }),
    httpRequests: new Counter({ ...r, name: METRIC_NAMES.httpRequests, help: 'HTTP requests by route and status', labelNames: ['route', 'status'] }),
    refunds: new Counter({ ...r, name: METRIC_NAMES.refunds, help: 'Refunds this instance completed at the gateway, by reason', labelNames: ['reason'] }),
    reconciled: new Counter({ ...r, name: METRIC_NAMES.reconciled, help: 'Charges the reconciler refunded, by why', labelNames: ['why'] }),
    reconcilePasses: new Counter({ ...r, name: METRIC_NAMES.reconcilePasses, help: 'Reconciliation passes by result (busy: another instance held the pass)', labelNames: ['result'] }),
    reconcileLag: new Gauge({ ...r, name: METRIC_NAMES.reconcileLag, help: 'Seconds between now and the oldest gateway charge not yet decided for good' }),
    deadlineExpired: new Counter({ ...r, name: METRIC_NAMES.deadlineExpired, help: 'Payments failed by the payment deadline' }),
    pollFallback: new Counter({
      ...r,
      name: METRIC_NAMES.pollFallback,
      help: 'Payment polls answered from the event-log status view because the database failed, by the status answered (UNKNOWN: the view did not know it, 503)',
      labelNames: ['status'],
    }),
    statusViewEntries: new Gauge({ ...r, name: METRIC_NAMES.statusViewEntries, help: 'Payments the event-log status view knows' }),
  };
}
