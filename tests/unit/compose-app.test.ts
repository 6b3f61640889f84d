// The app containers of docker-compose.yml (the payment gateway stand-in and service-1..9)
// and images/app/Dockerfile, the image they run. Nothing here builds or starts them: the
// compose environment is fed to the apps' own config readers (and compared with what the
// local stack gives its processes), and the Dockerfile is checked against what
// service/main.ts and service/gateway/main.ts import.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_SERVICE_INSTANCES, MAX_SERVICE_INSTANCES } from '../../contracts/topology.ts';
import { DATABASES } from '../../contracts/databases.ts';
import { createGatewayComponent } from '../../stack/components/gateway.ts';
import { NODE_ARGS } from '../../stack/components/node-http.ts';
import { createServiceComponent, serviceEnvOverrides } from '../../stack/components/service.ts';
import { readServiceConfig } from '../../service/config.ts';
import { readGatewayConfig } from '../../service/gateway/config.ts';

import {
  root,
  read,
  services,
  toxiproxyJson,
  topology,
  envOf,
  hostPort,
  commandArgs,
  dependsOn,
  publishedPorts,
  appServices,
  upstreamService,
  POD,
  localCtx,
  COMPOSE_ONLY_PROXIES,
  CREDENTIALS_INIT,
} from './compose-file.ts';
import { copyParts, contextSources, dockerIgnored, parseDockerfile } from './dockerfile.ts';

const proxy = (name: string) => {
  const p = toxiproxyJson.find((x) => x.name === name);
  assert.ok(p, `toxiproxy.json has no ${name} proxy`);
  return p;
};
const proxyPort = (name: string) => hostPort(proxy(name).listen).port;

/** The healthcheck's `node -e` script, compiled (never run) so a typo fails here. */
function healthScript(name: string): string {
  const t = services[name]?.healthcheck?.test;
  assert.ok(Array.isArray(t) && t[0] === 'CMD' && t[1] === 'node' && t[2] === '-e' && t.length === 4, `${name}'s healthcheck should be ["CMD", "node", "-e", script]`);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- compiles the script to prove it parses; the function is never called
  assert.doesNotThrow(() => new Function(t[3]!), `${name}'s healthcheck script does not parse`);
  return t[3]!;
}

/** The local stack's environment for a process: its launch env without the TICKETING_* pass-through. */
function localEnv(env: Record<string, string> | undefined): Record<string, string> {
  const passedOn = serviceEnvOverrides(process.env);
  return Object.fromEntries(Object.entries(env ?? {}).filter(([k]) => !(k in passedOn)));
}
/** A local launch's argv with the repository's absolute paths made relative, as in the image's /app. */
const repoRelative = (args: string[]) => args.map((a) => (path.isAbsolute(a) ? path.relative(root, a) : a));

describe('App containers in docker-compose.yml', () => {
  test('the gateway and every service instance run the one app image, built from images/app/Dockerfile', () => {
    const image = services.gateway?.image;
    assert.equal(image, 'ticketing/app:local');
    const build = services.gateway?.build;
    assert.equal(typeof build === 'object' ? build.dockerfile : build, 'images/app/Dockerfile');
    for (const name of appServices) assert.equal(services[name]?.image, image, `${name} runs another image`);
    // As the local stack runs it, from /app instead of the repository.
    const local = createGatewayComponent(topology).launch(localCtx());
    assert.deepEqual(commandArgs('gateway'), ['node', ...repoRelative(local.args)]);
    assert.deepEqual(commandArgs('gateway'), ['node', ...NODE_ARGS, 'service/gateway/main.ts']);
    // The instances take the image's CMD, which runs service/main.ts (Dockerfile tests below).
    for (const name of appServices) assert.equal(services[name]?.command, undefined, `${name} overrides the image's command`);
  });

  test('one service per possible instance, the first DEFAULT_SERVICE_INSTANCES by default, instance n on servicePort(n)', () => {
    assert.deepEqual(
      appServices,
      Array.from({ length: MAX_SERVICE_INSTANCES }, (_, i) => `service-${i + 1}`),
    );
    for (const [i, name] of appServices.entries()) {
      const n = i + 1;
      // `ticketctl consumers scale` starts the others (docker compose --profile scale).
      assert.deepEqual(services[name]?.profiles, n <= DEFAULT_SERVICE_INSTANCES ? undefined : ['scale'], `${name}'s profiles`);
      const port = topology.servicePort(n);
      const config = readServiceConfig(envOf(name));
      assert.equal(config.port, port, name);
      assert.equal(config.instanceId, name);
      assert.equal(config.host, '0.0.0.0', `${name} must listen on every interface of the pod to be published`);
      assert.equal(config.admin.host, '0.0.0.0', `${name}'s admin listener must listen on every interface of the pod to be published (on 127.0.0.1 only)`);
      assert.equal(config.admin.port, topology.serviceAdminPort(n));
      assert.equal(config.admin.tokenFile, '/run/credentials/admin-token', `${name} reads the stack's token from the credentials volume`);
      // Everything else exactly as the local stack's instance n is configured.
      const local = readServiceConfig(localEnv(createServiceComponent(topology, n).launch(localCtx()).env));
      assert.deepEqual(config, { ...local, host: '0.0.0.0', admin: { ...local.admin, host: '0.0.0.0', tokenFile: '/run/credentials/admin-token' } }, `${name} is configured otherwise than the local ${name}`);
      assert.ok(
        publishedPorts(POD).some((p) => p.hostIp === '127.0.0.1' && p.published === config.admin.port && p.target === config.admin.port),
        `${POD} does not publish ${name}'s admin port ${config.admin.port} on 127.0.0.1`,
      );
      assert.ok(
        publishedPorts(POD).some((p) => p.hostIp === '127.0.0.1' && p.published === port && p.target === port),
        `${POD} does not publish ${name}'s ${port}`,
      );
    }
  });

  test('each instance reaches every dependency only through its Toxiproxy proxy', () => {
    const upstreams = toxiproxyJson.map((p) => p.upstream);
    for (const name of appServices) {
      const env = envOf(name);
      const c = readServiceConfig(env);
      const via = (what: string, host: string, port: number, proxyName: string) => {
        assert.equal(port, proxyPort(proxyName), `${name} reaches ${what} on ${port}, not its proxy ${proxyName}`);
        assert.equal(upstreamService(`${host}:${port}`), 'toxiproxy', `${name} reaches ${what} at ${host}:${port}, not through Toxiproxy`);
      };
      via('MariaDB', c.db.host, c.db.port, 'mariadb');
      via('Redis', c.redis.host, c.redis.port, 'redis-master');
      assert.equal(c.kafka.brokers.length, topology.kafka.brokers.length, `${name} does not bootstrap from every broker proxy`);
      for (const [i, broker] of c.kafka.brokers.entries()) via('Kafka', hostPort(broker).host, hostPort(broker).port, `kafka-${topology.kafka.brokers[i]!.id}`);
      const gateway = new URL(c.gateway.url);
      via('the gateway', gateway.hostname, Number(gateway.port), 'gateway');
      assert.deepEqual({ user: c.db.user, password: c.db.password, database: c.db.database }, DATABASES.service);
      // Belt and braces: no setting names a real upstream address.
      for (const [key, value] of Object.entries(env)) {
        for (const u of upstreams) assert.ok(!value.includes(u), `${name}'s ${key} bypasses Toxiproxy (${u})`);
      }
    }
  });

  test('the stack credentials reach each instance as a read-only volume its group may read, copied there by the one-shot credentials service', () => {
    const init = services[CREDENTIALS_INIT]!;
    assert.equal(init.network_mode, 'none', 'the copier needs no network');
    assert.equal(init.restart, 'no');
    const mounts = (init.volumes ?? []).map(String);
    assert.ok(
      mounts.some((m) => /^\$\{TICKETING_CREDENTIALS_DIR:-[^}]+\}:\/source:ro$/.test(m)),
      `the host folder is mounted read-only from TICKETING_CREDENTIALS_DIR: ${mounts.join(', ')}`,
    );
    const script = (init.entrypoint as string[]).at(-1)!;
    assert.match(script, /chgrp -R 10000 \/credentials/);
    assert.match(script, /chmod 0440 \/credentials\/\*/);
    for (const name of appServices) {
      assert.equal(dependsOn(name)[CREDENTIALS_INIT], 'service_completed_successfully', `${name} starts before its token is there`);
      assert.ok((services[name]!.volumes ?? []).map(String).includes('credentials:/run/credentials:ro'), `${name} does not mount the credentials volume read-only`);
      assert.deepEqual(services[name]!.group_add?.map(String), ['10000'], `${name} cannot read the credentials (group 10000)`);
    }
  });

  test('each instance waits for healthy dependencies and for kafka-init, and checks its own /health', () => {
    for (const name of appServices) {
      const deps = dependsOn(name);
      assert.equal(deps.toxiproxy, 'service_healthy', `${name} does not wait for Toxiproxy`);
      assert.equal(deps['kafka-init'], 'service_completed_successfully', `${name} does not wait for the topics`);
      for (const p of ['mariadb', 'redis-master', 'kafka-1', 'kafka-2', 'kafka-3', 'gateway']) {
        const upstream = upstreamService(proxy(p).upstream);
        assert.ok(upstream, `the ${p} proxy forwards to no compose service`);
        assert.equal(deps[upstream], 'service_healthy', `${name} does not wait for ${upstream} to be healthy`);
      }
      const script = healthScript(name);
      assert.match(script, /http:\/\/127\.0\.0\.1:' \+ process\.env\.PORT \+ '\/health'/, `${name}'s healthcheck does not ask its own /health`);
      assert.doesNotMatch(script, /\$(?!\$)/, `${name}'s healthcheck has a $ that Compose would interpolate`);
    }
  });

  test('the gateway, which insists on loopback, is reachable only through Toxiproxy: its proxy, and the compose-only relay on its own port', () => {
    // service/gateway/config.ts refuses any non-loopback GATEWAY_HOST (no authentication).
    assert.throws(() => readGatewayConfig({ GATEWAY_HOST: '0.0.0.0' }), /GATEWAY_HOST/);
    const c = readGatewayConfig(envOf('gateway'));
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, topology.gateway.port);
    // The pod's addresses are the local stack's, so its environment is the local one, verbatim.
    assert.deepEqual(envOf('gateway'), localEnv(createGatewayComponent(topology).launch(localCtx()).env));
    // Toxiproxy reaches it on the pod's loopback; netns publishes the proxy, never the gateway.
    assert.equal(proxy('gateway').upstream, `127.0.0.1:${topology.gateway.port}`);
    assert.equal(upstreamService(proxy('gateway').upstream), 'gateway');
    assert.ok(!publishedPorts(POD).some((p) => p.target === topology.gateway.port), `${POD} publishes the gateway itself`);
    assert.ok(publishedPorts(POD).some((p) => p.published === topology.gateway.proxy && p.target === topology.gateway.proxy));
    // The host's 127.0.0.1:<gateway port> is a compose-only Toxiproxy relay to the gateway, and only that.
    const onGatewayPort = publishedPorts(POD).filter((p) => p.published === topology.gateway.port);
    assert.equal(onGatewayPort.length, 1, `${POD} publishes ${onGatewayPort.length} ports as ${topology.gateway.port}`);
    const relay = toxiproxyJson.find((x) => hostPort(x.listen).port === onGatewayPort[0]!.target);
    assert.ok(relay, `${POD} publishes ${onGatewayPort[0]!.target} as ${topology.gateway.port}, which no proxy listens on`);
    assert.ok(
      COMPOSE_ONLY_PROXIES.some((x) => x.name === relay.name),
      `${relay.name} is published as the gateway's port but is not a compose-only relay`,
    );
    assert.equal(upstreamService(relay.upstream), 'gateway', `the host's ${topology.gateway.port} reaches ${upstreamService(relay.upstream) ?? 'no service'}, not the gateway`);
    // Its ledger database through the mariadb proxy.
    assert.deepEqual({ host: c.db.host, port: c.db.port }, { host: '127.0.0.1', port: proxyPort('mariadb') });
    assert.equal(upstreamService(`${c.db.host}:${c.db.port}`), 'toxiproxy');
    assert.deepEqual({ user: c.db.user, password: c.db.password, database: c.db.database }, DATABASES.gateway);
    assert.equal(dependsOn('gateway').toxiproxy, 'service_healthy');
    assert.equal(dependsOn('gateway').mariadb, 'service_healthy');
    assert.match(healthScript('gateway'), new RegExp(`http://127\\.0\\.0\\.1:${topology.gateway.port}/health`));
  });
});

// ---- images/app/Dockerfile --------------------------------------------------------------

/** Every repository file the entry points load: relative imports, followed, plus SQL migrations. */
function runtimeFiles(entries: string[]): { files: string[]; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const m of read(file).matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/gm)) {
      const spec = (m[1] ?? m[2])!;
      if (spec.startsWith('.')) visit(path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)));
      else if (!spec.startsWith('node:')) packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  };
  entries.forEach(visit);
  for (const dir of ['service/db/migrations', 'service/gateway/migrations']) {
    for (const f of readdirSync(path.join(root, dir))) files.add(`${dir}/${f}`);
  }
  return { files: [...files].sort(), packages };
}

describe('images/app/Dockerfile', () => {
  const df = parseDockerfile('images/app/Dockerfile');
  const final = df.stages.at(-1)!;
  const all = df.stages.flatMap((s) => s.steps);
  const pkg = JSON.parse(read('package.json')) as { engines: { node: string }; dependencies: Record<string, string>; devDependencies: Record<string, string> };

  test('installs the Node major the project runs', () => {
    const versions = all.filter((s) => s.op === 'ARG' && s.args.startsWith('NODE_VERSION=')).map((s) => s.args.slice('NODE_VERSION='.length));
    assert.equal(versions.length, 1, 'one ARG NODE_VERSION=<version>');
    const major = /^(\d+)\./.exec(versions[0]!)?.[1];
    assert.ok(major, `NODE_VERSION=${versions[0]} is not a version`);
    assert.equal(pkg.engines.node, `>=${major}`);
    assert.equal(pkg.devDependencies.node?.split('.')[0], major, 'the image and the project run different Node majors');
  });

  test('ships production dependencies only', () => {
    const deps = df.stages.find((s) => s.steps.some((step) => step.op === 'RUN' && /\bnpm(?:-cli\.js)? ci --omit=dev\b/.test(step.args)));
    assert.ok(deps?.name, 'no stage runs `npm ci --omit=dev`');
    assert.ok(
      deps.steps.some((s) => s.op === 'COPY' && s.args === 'package.json package-lock.json ./'),
      'npm ci runs without the lock file',
    );
    const modules = final.steps.filter((s) => s.op === 'COPY' && copyParts(s).sources.some((src) => src.endsWith('node_modules')));
    assert.deepEqual(
      modules.map((s) => copyParts(s).flags.from),
      [deps.name],
      "the image's node_modules come from elsewhere than the --omit=dev install",
    );
    assert.ok(!final.steps.some((s) => s.op === 'RUN' && /\bnpm\b/.test(s.args)), 'the final stage runs npm');
  });

  test('runs as the non-root node user, and its CMD runs service/main.ts', () => {
    const userAt = final.steps.findLastIndex((s) => s.op === 'USER');
    assert.ok(userAt >= 0 && final.steps[userAt]!.args === 'node', 'the image does not run as node');
    assert.ok(
      final.steps.slice(userAt).every((s) => s.op !== 'RUN'),
      'a RUN after USER node',
    );
    const cmds = final.steps.filter((s) => s.op === 'CMD');
    assert.equal(cmds.length, 1);
    assert.deepEqual(JSON.parse(cmds[0]!.args), ['node', ...NODE_ARGS, 'service/main.ts'], 'CMD should be exec form running service/main.ts');
    assert.deepEqual(JSON.parse(cmds[0]!.args), ['node', ...repoRelative(createServiceComponent(topology, 1).launch(localCtx()).args)], 'CMD runs otherwise than the local stack');
    assert.ok(!final.steps.some((s) => s.op === 'ENTRYPOINT'), 'an ENTRYPOINT would wrap the compose commands');
  });

  test('copies every file the service and the gateway load, and .dockerignore lets each through', () => {
    // The final stage's own COPYs from the build context: what the running image holds.
    const sources = contextSources({ ...df, stages: [final] });
    for (const src of sources) assert.ok(existsSync(path.join(root, src)), `COPY ${src}: no such path`);
    const { files, packages } = runtimeFiles(['service/main.ts', 'service/gateway/main.ts']);
    assert.ok(
      files.some((f) => f.startsWith('contracts/')),
      'the service no longer imports contracts/: revisit the COPY lines',
    );
    for (const file of files) {
      assert.ok(existsSync(path.join(root, file)), `${file} is imported but missing`);
      assert.ok(
        sources.some((src) => file === src || file.startsWith(`${src}/`)),
        `${file} is not copied into the image`,
      );
      assert.ok(!dockerIgnored(file), `.dockerignore keeps ${file} out of the build context`);
    }
    for (const src of ['package.json', 'package-lock.json']) assert.ok(!dockerIgnored(src), `.dockerignore hides ${src}`);
    assert.ok(dockerIgnored('node_modules/yaml/package.json'), 'the host node_modules would be sent to the builder');
    assert.ok(dockerIgnored('service/gateway/app.live.test.ts'), 'tests would be shipped');
    // --omit=dev: whatever the apps import must be a production dependency.
    for (const name of packages) assert.ok(pkg.dependencies[name], `the apps import ${name}, which is not in dependencies`);
  });
});
