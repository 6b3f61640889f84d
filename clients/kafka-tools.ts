import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MissingToolError, OpsError } from '../lib/index.ts';
import { TOOLS_LOG4J, findExecutable } from '../stack/index.ts';
import type { KafkaToolsEnv } from '../stack/index.ts';
import type { Context } from './context.ts';
import { REPO_ROOT } from '../contracts/index.ts';

// Kafka's Java tools (LeaderElectionCommand, BrokerApiVersionsCommand,
// MetadataQuorumCommand) need Java and Kafka's jars. `ticketctl stack up` fetches the jars
// into the stack folder; a context without a local stack borrows them from the default
// one, or from TICKETCTL_KAFKA_LIBS.

export function kafkaToolsFor(c: Context, env: NodeJS.ProcessEnv): KafkaToolsEnv {
  const stackDir = c.stack?.dir ?? path.join(REPO_ROOT, '.stack');
  const libsDir = env.TICKETCTL_KAFKA_LIBS ? path.resolve(env.TICKETCTL_KAFKA_LIBS) : path.join(stackDir, 'kafka-libs');
  if (!existsSync(path.join(libsDir, '.complete')) && !env.TICKETCTL_KAFKA_LIBS) {
    throw new OpsError(`Kafka's jars (for its Java tools) are not in ${libsDir}.`, {
      code: 'MISSING_TOOL',
      hint: c.stack
        ? 'Run `ticketctl stack up` once: it fetches them from Maven Central.'
        : 'Run `ticketctl --context local stack up` once on this machine, or set TICKETCTL_KAFKA_LIBS to a folder of Kafka 3.9 jars.',
    });
  }
  const java = findExecutable('java');
  if (!java) throw new MissingToolError('java', 'Install Java 17 (`apt-get install openjdk-17-jre-headless`), or run `ticketctl stack up`, which installs it.');
  let log4jConfig = path.join(stackDir, 'conf', 'tools-log4j.properties');
  if (!existsSync(log4jConfig)) {
    log4jConfig = path.join(os.tmpdir(), `ticketctl-tools-log4j-${process.getuid?.() ?? 'user'}.properties`);
    writeFileSync(log4jConfig, TOOLS_LOG4J);
  }
  return { java, libsDir, log4jConfig };
}

/** The bootstrap list as the Java tools take it. */
export const bootstrapOf = (c: Context) => c.kafka.brokers.map((b) => b.address).join(',');

/** The Java exception a failed tool run reported ("TimeoutException: ..."), else its message. */
export function toolFailure(err: unknown): string {
  const captured = (err as { cause?: { stderr?: unknown } })?.cause?.stderr; // execa's, a string (utf8 is its default encoding)
  const stderr = typeof captured === 'string' ? captured : '';
  const line = stderr.split('\n').find((l) => /^(?:Error|Exception|[\w.$]+(?:Exception|Error))\b.*:/.test(l.trim()));
  if (line)
    return line
      .trim()
      .replace(/^Exception in thread "[^"]*" /, '')
      .replace(/^(?:[\w$]+\.)+([\w$]+(?:Exception|Error))/, '$1')
      .slice(0, 300);
  return err instanceof Error ? err.message.split('\n')[0]! : String(err);
}
