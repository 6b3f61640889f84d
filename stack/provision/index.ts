import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MissingToolError } from '../../lib/index.ts';
import { KAFKA_VERSION } from '../components/kafka.ts';
import { TOXIPROXY_MODULE, TOXIPROXY_VERSION } from '../components/toxiproxy.ts';
import type { Tools } from '../components/types.ts';
import { aptInstall } from '../exec/apt.ts';
import { goInstall } from '../exec/go.ts';
import type { KafkaToolsEnv } from '../exec/kafka-tools.ts';
import { copyDependencies } from '../exec/maven.ts';
import { findExecutable } from '../exec/which.ts';
import type { StackPaths } from '../paths.ts';
import { REPO_ROOT } from '../../contracts/index.ts';

// Installs whatever the stack needs and this machine lacks, then says where it is. Each
// step is skipped when its result is already there, so a warm `up` provisions nothing.

export interface ProvisionStep {
  title: string;
  run(): Promise<void>;
}

export interface Provisioned {
  tools: Tools;
  kafkaTools: KafkaToolsEnv;
}

/** Debian packages and the binaries each provides. */
const DEBIAN = [
  { pkg: 'redis-server', bins: ['redis-server'] },
  { pkg: 'redis-sentinel', bins: ['redis-sentinel'] },
  { pkg: 'mariadb-server', bins: ['mariadbd', 'mariadb-install-db'] },
  { pkg: 'openjdk-17-jre-headless', bins: ['java'] },
  { pkg: 'maven', bins: ['mvn'] },
];

export const KAFKA_POM = path.join(REPO_ROOT, 'stack', 'kafka', 'pom.xml');

/** The steps still needed on this machine; empty when everything is in place. */
export function pendingProvisionSteps(paths: StackPaths): ProvisionStep[] {
  const steps: ProvisionStep[] = [];
  const missingPkgs = DEBIAN.filter((d) => d.bins.some((b) => !findExecutable(b))).map((d) => d.pkg);
  if (missingPkgs.length > 0) {
    steps.push({ title: `apt-get install ${missingPkgs.join(' ')}`, run: () => aptInstall(missingPkgs, missingPkgs.join(', ')) });
  }
  const marker = path.join(paths.kafkaLibs, '.complete');
  if (!existsSync(marker) || readFileSync(marker, 'utf8').trim() !== KAFKA_VERSION) {
    steps.push({
      title: `fetch Apache Kafka ${KAFKA_VERSION} jars from Maven Central`,
      run: async () => {
        rmSync(paths.kafkaLibs, { recursive: true, force: true });
        await copyDependencies(KAFKA_POM, paths.kafkaLibs);
        writeFileSync(marker, `${KAFKA_VERSION}\n`);
      },
    });
  }
  if (!existsSync(toxiproxyBin(paths, 'server')) || !existsSync(toxiproxyBin(paths, 'cli'))) {
    steps.push({
      title: `build Toxiproxy ${TOXIPROXY_VERSION} with go install`,
      run: async () => {
        // `go install` names binaries after their folder (server, cli): build aside, rename.
        const tmp = path.join(paths.bin, '.go-install');
        mkdirSync(tmp, { recursive: true });
        for (const cmd of ['server', 'cli'] as const) {
          await goInstall(`${TOXIPROXY_MODULE}/cmd/${cmd}@${TOXIPROXY_VERSION}`, tmp);
          renameSync(path.join(tmp, cmd), toxiproxyBin(paths, cmd));
        }
        rmSync(tmp, { recursive: true, force: true });
      },
    });
  }
  return steps;
}

export function toxiproxyBin(paths: StackPaths, which: 'server' | 'cli'): string {
  return path.join(paths.bin, `toxiproxy-${which}`);
}

/** Paths of every tool; throws naming the first one still missing. */
export function resolveTools(paths: StackPaths): Provisioned {
  const need = (name: string, hint: string): string => {
    const found = findExecutable(name);
    if (!found) throw new MissingToolError(name, hint);
    return found;
  };
  const toxiproxyServer = toxiproxyBin(paths, 'server');
  if (!existsSync(toxiproxyServer)) throw new MissingToolError('toxiproxy-server', 'Run `ticketctl stack up` to build it with Go.');
  const java = need('java', 'Install Java 17 (`apt-get install openjdk-17-jre-headless`).');
  return {
    tools: {
      java,
      redisServer: need('redis-server', 'Install it with `apt-get install redis-server`.'),
      redisSentinel: need('redis-sentinel', 'Install it with `apt-get install redis-sentinel`.'),
      mariadbd: need('mariadbd', 'Install it with `apt-get install mariadb-server`.'),
      mariadbInstallDb: need('mariadb-install-db', 'Install it with `apt-get install mariadb-server`.'),
      toxiproxyServer,
    },
    kafkaTools: { java, libsDir: paths.kafkaLibs, log4jConfig: path.join(paths.conf, 'tools-log4j.properties') },
  };
}
