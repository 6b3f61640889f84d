// lib/: the ground floor. Generic building blocks with no knowledge of ticketing: typed
// errors with hints and exit codes, waitFor, one HTTP call with a deadline, the progress
// interface, a reader for untrusted JSON, kafkajs's stray-rejection guard. Imports nothing
// of the project. Other folders import from this file only.

export { MissingToolError, OpsError, PortInUseError, StartupError, UsageError, errorMessage } from './errors.ts';
export { FieldReader } from './field-reader.ts';
export { HttpUnreachable, httpGet, httpRequest } from './http.ts';
export type { HttpAnswer } from './http.ts';
export { tolerateKafkajsStrayRejections } from './kafkajs-strays.ts';
export { pidExists } from './pid.ts';
export { silentProgress } from './progress.ts';
export type { Progress } from './progress.ts';
export { WaitTimeoutError, delay, waitFor } from './wait.ts';
