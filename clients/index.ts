// clients/: one way to reach each system, for ticketctl, the drills, scripts and tests:
// context resolution (which deployment), then one deadline-bounded client per system:
// the service database, the gateway API, Redis, Kafka (admin, producer, Java tools), Toxiproxy,
// the service instances' admin API, and ticketctl itself as a subprocess. Other folders
// import from this file only.

export { readConfig } from './context-env.ts';
export { resolveContext, splitHostPort } from './context.ts';
export { describeContext, listContexts, setDefaultContext } from './context-views.ts';
export type { ContextListing, ContextView } from './context-views.ts';
export type { Context } from './context.ts';
export { gatewayAt, gatewayFor, openGatewayLedgerDb } from './gateway.ts';
export { parseQuorumStatus } from './kafka-quorum.ts';
export type { QuorumStatus } from './kafka-quorum.ts';
export { bootstrapOf, kafkaToolsFor, toolFailure } from './kafka-tools.ts';
export { surveyBrokers } from './kafka-survey.ts';
export type { BrokerProbe, BrokerSurvey } from './kafka-survey.ts';
export { contextKafka, fetchPartitions, partitionLabel, withAdmin } from './kafka.ts';
export type { PartitionView } from './kafka.ts';
export { currentRedisMaster, redisOnce, sentinelMaster } from './redis.ts';
export { serviceAdmin } from './service-admin.ts';
export type { AdminState, InstanceRead, ServiceAdmin } from './service-admin.ts';
export { envSecret, fileSecret } from './secret.ts';
export type { Secret } from './secret.ts';
export { localServiceDb, openServiceDb, serviceDbAs, withServiceConnection, withServiceDb } from './service-db.ts';
export type { ServiceDbEndpoint } from './service-db.ts';
export { platformOf, stackContextOf } from './stack-context.ts';
export { runTicketctl } from './ticketctl.ts';
export { readTopicRanges } from './topic-reader.ts';
export type { PartitionRange } from './topic-reader.ts';
export { createToxiproxyApi } from './toxiproxy.ts';
export type { ToxiproxyApi } from './toxiproxy.ts';
