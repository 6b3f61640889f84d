// service/: what other folders may use of the reservation/payment service (the service
// itself runs from service/main.ts, the gateway stand-in from service/gateway/main.ts).
// ticketctl, the drills and scripts reach the service's data through these; nothing else
// of service/ is imported from outside. The service imports only lib/ and contracts/.

export { withTransaction } from './db/connection.ts';
export { createPool } from './db/pool.ts';
export { seedConcerts } from './db/seed.ts';
export { appendEvent } from './events/event-store.ts';
export { createGatewayClient } from './gateway/client.ts';
export type { GatewayClient } from './gateway/client.ts';
export { DEFAULT_KNOBS } from './gateway/knobs.ts';
export { CONSUMER_PROFILES } from './payments/consumer.ts';
export type { ConsumerProfile } from './payments/consumer.ts';
export { enqueue } from './payments/outbox.ts';
export { lockPayment } from './payments/transactions.ts';
export { consumerLag } from './refresh-metrics.ts';
