// The app containers of docker-compose.yml (the payment gateway stand-in and service-1..n)
// and the ./Dockerfile they run. Nothing here builds or starts them (no Docker engine on
// these machines): the compose environment is fed to the apps' own config readers, and the
// Dockerfile is checked against what service/main.ts and service/gateway/main.ts import.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_SERVICE_INSTANCES } from '../../contracts/topology.ts';
import { NODE_ARGS } from '../../stack/components/node-http.ts';
import { readServiceConfig } from '../../service/config.ts';
import { readGatewayConfig } from '../../service/gateway/config.ts';

import { root, read, services, toxiproxyJson, topology, envOf, hostPort, commandArgs, dependsOn, publishedPorts, appServices, upstreamService } from './compose-file.ts';
import { DATABASES } from '../../contracts/databases.ts';

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

describe('App containers in docker-compose.yml', () => {
  test('the gateway and every service instance run the image built from ./Dockerfile', () => {
    const names = ['gateway', ...appServices];
    const image = services.gateway?.image;
    assert.ok(image, 'the gateway names no image');
    for (const name of names) {
      const s = services[name]!;
      assert.equal(s.image, image, `${name} runs another image`);
      const build = typeof s.build === 'string' ? { context: s.build } : s.build;
      assert.equal(build?.context, '.', `${name} does not build from the repository root`);
      assert.equal(build?.dockerfile ?? 'Dockerfile', 'Dockerfile');
    }
    assert.deepEqual(commandArgs('gateway'), ['node', ...NODE_ARGS, 'service/gateway/main.ts']);
    // The instances take the image's CMD, which runs service/main.ts (Dockerfile tests below).
    for (const name of appServices) assert.equal(services[name]?.command, undefined, `${name} overrides the image's command`);
  });

  test('one instance per DEFAULT_SERVICE_INSTANCES, instance n on servicePort(n), published on 127.0.0.1 only', () => {
    assert.deepEqual(
      appServices,
      Array.from({ length: DEFAULT_SERVICE_INSTANCES }, (_, i) => `service-${i + 1}`),
    );
    for (const [i, name] of appServices.entries()) {
      const port = topology.servicePort(i + 1);
      const config = readServiceConfig(envOf(name));
      assert.equal(config.port, port, name);
      assert.equal(config.instanceId, name);
      assert.equal(config.host, '0.0.0.0', `${name} must listen on every interface of its container`);
      assert.equal(services[name]?.hostname, name);
      assert.deepEqual(publishedPorts(name), [{ hostIp: '127.0.0.1', published: port, target: port }], name);
    }
  });

  test('each instance reaches every dependency only through the toxiproxy service', () => {
    const upstreams = toxiproxyJson.map((p) => p.upstream);
    for (const name of appServices) {
      const env = envOf(name);
      const c = readServiceConfig(env);
      const via = (what: string, host: string, port: number, proxyName: string) => {
        assert.equal(host, 'toxiproxy', `${name} reaches ${what} at ${host}, not through Toxiproxy`);
        assert.equal(port, proxyPort(proxyName), `${name} reaches ${what} on ${port}, not its proxy ${proxyName}`);
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

  test("the gateway, which insists on loopback, lives in Toxiproxy's network namespace behind its proxy", () => {
    // service/gateway/config.ts refuses any non-loopback GATEWAY_HOST (no authentication).
    assert.throws(() => readGatewayConfig({ GATEWAY_HOST: '0.0.0.0' }), /GATEWAY_HOST/);
    const c = readGatewayConfig(envOf('gateway'));
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, topology.gateway.port);
    const g = services.gateway!;
    assert.equal(g.network_mode, 'service:toxiproxy');
    assert.equal(g.ports, undefined, 'a namespace guest cannot publish ports; Toxiproxy publishes the gateway proxy');
    assert.equal(g.hostname, undefined, 'a namespace guest cannot set a hostname');
    // So Toxiproxy reaches it on its own loopback, and the service reaches it through the proxy.
    assert.equal(proxy('gateway').upstream, `127.0.0.1:${topology.gateway.port}`);
    assert.equal(upstreamService(proxy('gateway').upstream), 'gateway');
    assert.ok(publishedPorts('toxiproxy').some((p) => p.published === topology.gateway.proxy && p.target === topology.gateway.proxy));
    // Its ledger database through the mariadb proxy: 127.0.0.1 in that namespace is Toxiproxy.
    assert.deepEqual({ host: c.db.host, port: c.db.port }, { host: '127.0.0.1', port: proxyPort('mariadb') });
    assert.deepEqual({ user: c.db.user, password: c.db.password, database: c.db.database }, DATABASES.gateway);
    assert.equal(dependsOn('gateway').toxiproxy, 'service_healthy');
    assert.equal(dependsOn('gateway').mariadb, 'service_healthy');
    assert.match(healthScript('gateway'), new RegExp(`http://127\\.0\\.0\\.1:${topology.gateway.port}/health`));
  });
});

// ---- Dockerfile -------------------------------------------------------------------------

interface Instruction {
  op: string;
  args: string;
}
function dockerfile(): Instruction[] {
  const logical = read('Dockerfile')
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return logical
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => ({ op: l.split(/\s+/, 1)[0]!.toUpperCase(), args: l.slice(l.indexOf(' ') + 1).trim() }));
}

/** .dockerignore's rule: the last pattern matching the path or one of its parents wins. */
function dockerIgnored(file: string, patterns: string[]): boolean {
  const toRegExp = (glob: string) =>
    new RegExp(
      `^${glob
        .split(/(\*\*\/|\*\*|\*|\?)/)
        .map((part) => ({ '**/': '(?:.*/)?', '**': '.*', '*': '[^/]*', '?': '[^/]' })[part] ?? part.replace(/[.+^${}()|[\]\\]/g, '\\$&'))
        .join('')}$`,
    );
  const parents = file.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const re = toRegExp(path.posix.normalize(negated ? raw.slice(1) : raw).replace(/\/$/, ''));
    if (parents.some((p) => re.test(p))) ignored = !negated;
  }
  return ignored;
}

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

describe('Dockerfile', () => {
  const steps = dockerfile();
  const pkg = JSON.parse(read('package.json')) as { engines: { node: string }; dependencies: Record<string, string>; devDependencies: Record<string, string> };

  test('exists, builds FROM the Node major the project runs, installs production dependencies only', () => {
    assert.ok(existsSync(path.join(root, 'Dockerfile')));
    assert.deepEqual(
      steps.filter((s) => s.op === 'FROM').map((s) => s.args),
      ['node:24-bookworm-slim'],
    );
    const major = /^node:(\d+)-/.exec(steps[0]!.args)![1];
    assert.equal(pkg.engines.node, `>=${major}`);
    assert.equal(pkg.devDependencies.node?.split('.')[0], major, 'the image and the project run different Node majors');
    assert.ok(steps.some((s) => s.op === 'COPY' && s.args === 'package.json package-lock.json ./'));
    assert.ok(
      steps.some((s) => s.op === 'RUN' && /\bnpm ci --omit=dev\b/.test(s.args)),
      'no `npm ci --omit=dev`',
    );
  });

  test('runs as the non-root node user, and its CMD runs service/main.ts', () => {
    const userAt = steps.findLastIndex((s) => s.op === 'USER');
    assert.ok(userAt >= 0 && steps[userAt]!.args === 'node', 'the image runs as root');
    assert.ok(
      steps.slice(userAt).every((s) => s.op !== 'RUN'),
      'a RUN after USER node',
    );
    const cmds = steps.filter((s) => s.op === 'CMD');
    assert.equal(cmds.length, 1);
    assert.deepEqual(JSON.parse(cmds[0]!.args), ['node', ...NODE_ARGS, 'service/main.ts'], 'CMD should be exec form running service/main.ts');
    assert.ok(!steps.some((s) => s.op === 'ENTRYPOINT'), 'an ENTRYPOINT would wrap the compose commands');
  });

  test('copies every file the service and the gateway load, and .dockerignore lets each through', () => {
    const sources = steps
      .filter((s) => s.op === 'COPY')
      .flatMap((s) =>
        s.args
          .split(/\s+/)
          .filter((a) => !a.startsWith('--'))
          .slice(0, -1),
      )
      .map((src) => src.replace(/^\.\//, '').replace(/\/$/, ''));
    for (const src of sources) assert.ok(existsSync(path.join(root, src)), `COPY ${src}: no such path`);
    const ignore = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
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
      assert.ok(!dockerIgnored(file, ignore), `.dockerignore keeps ${file} out of the build context`);
    }
    for (const src of ['package.json', 'package-lock.json']) assert.ok(!dockerIgnored(src, ignore), `.dockerignore hides ${src}`);
    assert.ok(dockerIgnored('node_modules/yaml/package.json', ignore), 'the host node_modules would be sent to the builder');
    assert.ok(dockerIgnored('service/gateway/app.live.test.ts', ignore), 'tests would be shipped');
    // --omit=dev: whatever the apps import must be a production dependency.
    for (const name of packages) assert.ok(pkg.dependencies[name], `the apps import ${name}, which is not in dependencies`);
  });
});
