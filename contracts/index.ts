// contracts/: the names every part of the system shares, so a rename cannot drift between
// them: Kafka topics and event envelopes, the seat-lock key format, the local stack's port
// map, the databases and their accounts, and where the project's own files are. Pure data
// and parsers; imports only lib/. Other folders import from this file only.

export { DATABASES, TICKETCTL_DB_ACCOUNTS } from './databases.ts';
export type { TicketctlDbRole } from './databases.ts';
export { EVENT_TYPES, InvalidEnvelopeError, newEnvelope, parseEnvelope } from './envelope.ts';
export type { Envelope, EventType } from './envelope.ts';
export { DEFAULT_STACK_DIR, REPO_ROOT, TICKETCTL_BIN } from './repo.ts';
export { HEARTBEAT_INTERVAL_MS, HEARTBEAT_PREFIX, HEARTBEAT_TTL_MS, heartbeatKey, parseHeartbeat } from './heartbeat.ts';
export type { Heartbeat } from './heartbeat.ts';
export { SEAT_LOCK_PREFIX, parseLockValue, seatLockKey } from './seat-lock.ts';
export type { LockValue } from './seat-lock.ts';
export { ALL_TOPICS, CONSUMER_GROUP, READER_GROUP_PREFIX, STATUS_VIEW_GROUP_PREFIX, TOPICS, TOPIC_LAYOUT, isOperationalGroup } from './topics.ts';
export type { TopicName } from './topics.ts';
export { ADMIN_PORT_OFFSET, BROKER_IDS, DEFAULT_SERVICE_INSTANCES, MAX_SERVICE_INSTANCES, REDIS_MASTER_NAME, SENTINEL_IDS, createTopology } from './topology.ts';
export type { BrokerId, SentinelId, Topology } from './topology.ts';
