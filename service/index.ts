// service/: what other folders may use of the reservation/payment service (the service
// itself runs from service/main.ts, the gateway stand-in from service/gateway/main.ts).
// ticketctl, the drills and scripts reach the service's data through these; nothing else
// of service/ is imported from outside. The service imports only lib/ and contracts/.

export { createPool } from './db/pool.ts';
export { createGatewayClient } from './gateway/client.ts';
export type { GatewayClient } from './gateway/client.ts';
export { DEFAULT_KNOBS, REFUND_POLICIES } from './gateway/knobs.ts';
export { CONSUMER_PROFILES } from './payments/consumer.ts';
export type { ConsumerProfile } from './payments/consumer.ts';
export { consumerLag } from './refresh-metrics.ts';
export { refundAndRelease, revivePayment, requestOperatorCancel, seedConcerts, refundKeyOf, refundRecordsFor, type OperatorCancel } from './store/index.ts';
export { refunderFor } from './payments/refunds.ts';
export type { Refunder, RefundResult } from './payments/refunds.ts';
export type { Revival } from './store/index.ts';
