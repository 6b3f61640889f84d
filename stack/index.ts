// stack/: provisioning and supervising the local stack (processes on 127.0.0.1): up, down,
// status, the components, the supervisor's PID records, the wrappers of external programs
// (Kafka's Java tools) and the stack's own readiness probes. Imports lib/ and contracts/
// only, never the service. Other folders import from this file only.

export { allComponents, findComponent } from './components/index.ts';
export { TOOLS_LOG4J } from './components/kafka.ts';
export { NODE_ARGS } from './components/node-http.ts';
export { createServiceComponent, SERVICE_ENV_PREFIX } from './components/service.ts';
export type { StackContext } from './components/types.ts';
export { createStackContext } from './context.ts';
export { stackDown } from './down.ts';
export { brokerApiVersions, describeQuorumStatus, electPreferredLeadersFor } from './exec/kafka-tools.ts';
export type { KafkaToolsEnv } from './exec/kafka-tools.ts';
export { findExecutable } from './exec/which.ts';
export { ensureTopics } from './kafka-topics.ts';
export { createStackPaths } from './paths.ts';
export { describeClusterVia } from './probes/kafka.ts';
export type { ClusterView } from './probes/kafka.ts';
export { redisCommand, redisCommandAt } from './probes/redis.ts';
export { readServiceInstances, serviceInstancesFile, writeServiceInstances } from './service-instances.ts';
export { stackStatus } from './status.ts';
export type { StackStatus } from './status.ts';
export { runningRecord } from './supervisor/managed.ts';
export type { PidRecord } from './supervisor/pidfile.ts';
export { isPortFree } from './supervisor/ports.ts';
export { isProcessStopped, processStartTicks } from './supervisor/proc.ts';
export { isAlive, signalRecorded } from './supervisor/process.ts';
export type { StopOutcome } from './supervisor/process.ts';
export { stackUp } from './up.ts';
export { CREDENTIALS, CREDENTIAL_USES, ensureCredentials, readCredential } from './credentials/index.ts';
export type { CredentialName } from './credentials/index.ts';
export { composeDown, composeUp } from './platforms/compose-deploy.ts';
export { ensureEngine } from './docker/provision.ts';
export { findEngine, stackEngineRecord, stopStackEngine, dockerClient } from './docker/engine.ts';
export { BASE_CHOICES, type BaseChoice } from './docker/base-image.ts';
export { buildImages, defaultBuildCa, missingImages } from './docker/images.ts';
export { ensureCompose } from './docker/compose.ts';
export { assertBrokerIdentity, brokerIdOf } from './platforms/identity.ts';
export { createPlatform, COMPOSE_LABEL, COMPOSE_PROJECT_NAME, DEFAULT_COMPOSE_PROJECT, PLATFORM_KINDS, SCALE_PROFILE, composeEnv } from './platforms/index.ts';
export { pidOf, unitLabel } from './platforms/index.ts';
export type { ComposeProject, Platform, PlatformKind, PlatformSpec, UnitRef, UnitStatus } from './platforms/index.ts';
export type { UpReport } from './up.ts';
