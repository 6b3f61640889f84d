// docker-compose.yml, checked without a Docker engine: it must be a valid Compose file (the
// official Compose Specification schema, vendored in fixtures/) and it must describe the
// same stack as contracts/topology.ts and stack/components/*, which the local-process stack
// is built from, but for the one exception COMPOSE_ONLY_PROXIES names (compose-file.ts).
// tests/compose/*.compose.test.ts run it for real.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import { REDIS_MASTER_NAME } from '../../contracts/topology.ts';
import { DATABASES, TICKETCTL_DB_ACCOUNTS } from '../../contracts/databases.ts';
import { createMariadbComponent } from '../../stack/components/mariadb.ts';
import { createRedisComponent } from '../../stack/components/redis.ts';
import { createSentinelComponent, sentinelConfFile } from '../../stack/components/sentinel.ts';
import { proxyConfig } from '../../stack/components/toxiproxy.ts';

import {
  root,
  rawCompose,
  services,
  toxiproxyJson,
  topology,
  components,
  POD,
  CREDENTIALS_INIT,
  podMembers,
  hostPort,
  commandArgs,
  options,
  sentinelConf,
  listensOn,
  listenPortOf,
  dependencies,
  dependsOn,
  publishedPorts,
  sentinelServices,
  read,
  upstreamService,
  ownerOf,
  localCtx,
  COMPOSE_ONLY_PROXIES,
  composeOnlyEntries,
  composeOnlyPorts,
  expectedHostPort,
} from './compose-file.ts';

describe('docker-compose.yml', () => {
  test('is valid against the Compose Specification schema', () => {
    const spec = JSON.parse(readFileSync(new URL('./fixtures/compose-spec.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    // The spec declares draft-07 by its https address, which Ajv does not know by that
    // name; Ajv's default class is draft-07, so drop the pointer and check the draft.
    const { $schema, ...schema } = spec;
    assert.match(String($schema), /draft-07/);
    // Strict about unknown keywords; quiet about the spec's loose typing (union types,
    // `additionalProperties` without `type: object`), which Ajv would only log.
    const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, strictTypes: false });
    const validate = ajv.compile(schema);
    const valid = validate(rawCompose);
    assert.ok(valid, `schema errors:\n${ajv.errorsText(validate.errors, { separator: '\n' })}`);
    // The validator must be able to say no, or the pass above proves nothing.
    const broken = structuredClone(rawCompose) as { services: Record<string, Record<string, unknown>> };
    broken.services['kafka-1']!.imagee = 'ticketing/kafka:3.9.1';
    assert.equal(validate(broken), false);
  });

  test('runs every local component as the service of the same name, on the same ports', () => {
    const names = components.map((c) => c.name).sort();
    assert.deepEqual(names, podMembers.filter((name) => name !== 'kafka-init').sort(), 'compose services and local components differ (kafka-init and netns aside)');
    for (const c of components) {
      // Toxiproxy also listens for the compose-only proxies; nothing else may differ.
      const composeOnly = c.name === 'toxiproxy' ? composeOnlyPorts : [];
      assert.deepEqual(
        listensOn(c.name)
          .map((l) => l.port)
          .sort(),
        [...c.ports.map((p) => p.port), ...composeOnly].sort(),
        `${c.name} listens on other ports than the local ${c.name}`,
      );
    }
  });

  test(`runs every service but ${POD} in ${POD}'s network namespace, restarted with it`, () => {
    const pod = services[POD]!;
    assert.equal(pod.network_mode, undefined, `${POD} must own its namespace`);
    assert.equal(pod.depends_on, undefined, `${POD} must start first and alone`);
    assert.equal(pod.restart, 'unless-stopped');
    for (const name of podMembers) {
      const s = services[name]!;
      assert.equal(s.network_mode, `service:${POD}`, `${name} is not in ${POD}'s network namespace`);
      assert.deepEqual(dependencies(name)[POD], { condition: 'service_started', restart: true }, `${name} is not restarted with ${POD}`);
      // Docker refuses both for a container in another's network namespace.
      assert.equal(s.ports, undefined, `${name} publishes ports; only ${POD} can`);
      assert.equal(s.hostname, undefined, `${name} sets a hostname in a shared namespace`);
    }
  });

  test('publishes every port on 127.0.0.1 only, each on its own number but a compose-only relay on its publishedAs', () => {
    for (const name of Object.keys(services)) {
      for (const port of publishedPorts(name)) {
        assert.equal(port.hostIp, '127.0.0.1', `${name} publishes ${port.target} beyond 127.0.0.1`);
        assert.equal(port.published, expectedHostPort(port.target), `${name} publishes ${port.target} as ${port.published}: addresses would differ inside and out`);
      }
    }
  });

  test('publishes every port a local component listens on, except the loopback-only gateway, plus the compose-only relays, and nothing else', () => {
    const published = publishedPorts(POD);
    const targets = published.map((p) => p.target);
    assert.equal(new Set(targets).size, targets.length, `${POD} publishes a port twice`);
    const hostPorts = published.map((p) => p.published);
    assert.equal(new Set(hostPorts).size, hostPorts.length, `${POD} publishes two ports on one host port`);
    const local = components.flatMap((c) => c.ports.map((p) => ({ name: c.name, port: p.port })));
    assert.deepEqual(
      local.filter((l) => !targets.includes(l.port)),
      [{ name: 'gateway', port: topology.gateway.port }],
      'unpublished component ports',
    );
    for (const port of targets) {
      assert.ok(local.some((l) => l.port === port) || composeOnlyPorts.includes(port), `${POD} publishes ${port}, which no local component listens on`);
    }
    // From the host, through the relay: exactly the local stack's ports, the gateway's too.
    assert.deepEqual(
      [...hostPorts].sort((a, b) => a - b),
      local.map((l) => l.port).sort((a, b) => a - b),
      'the host sees other ports than the local stack has',
    );
  });

  test('every published port has one owner in the pod, listening on every interface', () => {
    for (const { target } of publishedPorts(POD)) {
      const owner = upstreamService(`127.0.0.1:${target}`);
      assert.ok(owner, `${POD} publishes ${target}, which no service listens on`);
      const address = listensOn(owner).find((l) => l.port === target)!;
      assert.equal(address.host, '0.0.0.0', `${owner} listens on ${address.host}:${target}, which Docker cannot publish`);
    }
  });

  test('gives every long-running service a healthcheck, and waits on health where it depends', () => {
    for (const [name, service] of Object.entries(services)) {
      // kafka-init and credentials exit; netns runs nothing to check.
      if (name !== 'kafka-init' && name !== CREDENTIALS_INIT && name !== POD) assert.ok(service.healthcheck?.test && !service.healthcheck.disable, `${name} has no healthcheck`);
      for (const [dep, condition] of Object.entries(dependsOn(name))) {
        assert.ok(services[dep], `${name} depends on unknown service ${dep}`);
        if (condition === 'service_healthy') assert.ok(services[dep]?.healthcheck?.test, `${name} waits for ${dep} to be healthy, but it has no healthcheck`);
      }
    }
  });
});

describe('Toxiproxy in docker-compose.yml', () => {
  test("toxiproxy.json is the local stack's proxy config plus COMPOSE_ONLY_PROXIES, listening on every interface of the pod", () => {
    assert.deepEqual(
      toxiproxyJson.map((p) => p.name),
      [...topology.proxies.map((p) => p.name), ...COMPOSE_ONLY_PROXIES.map((p) => p.name)],
    );
    const local = proxyConfig(topology).map((p) => ({ ...p, listen: `0.0.0.0:${hostPort(p.listen).port}` }));
    assert.deepEqual(toxiproxyJson, [...local, ...composeOnlyEntries]);
  });

  test('every proxy forwards to a compose service on the port that service listens on', () => {
    for (const p of toxiproxyJson) {
      const target = upstreamService(p.upstream);
      assert.ok(target, `${p.name} forwards to ${p.upstream}, which no compose service serves`);
      // A compose-only relay forwards to the gateway (its own test below); every other proxy to its namesake.
      if (!COMPOSE_ONLY_PROXIES.some((x) => x.name === p.name)) assert.equal(target, p.name, `the ${p.name} proxy forwards to ${target}`);
      assert.equal(hostPort(p.upstream).port, listenPortOf(target), `${p.name} forwards to ${p.upstream}, not ${target}'s client port`);
    }
  });

  test("the compose-only relay: the topology gateway's own port, published as that port, listening on a port no component uses, unknown to drills", () => {
    assert.ok(COMPOSE_ONLY_PROXIES.length > 0);
    const componentPorts = components.flatMap((c) => c.ports.map((p) => p.port));
    for (const relay of COMPOSE_ONLY_PROXIES) {
      // Drills name topology proxies only, so none can cut or slow this one.
      assert.ok(!topology.proxies.some((p) => p.name === relay.name), `${relay.name} is a topology proxy, which drills can fault`);
      assert.equal(relay.upstream, `127.0.0.1:${topology.gateway.port}`, `${relay.name} does not relay the gateway's own port`);
      assert.equal(upstreamService(relay.upstream), 'gateway');
      assert.equal(relay.publishedAs, topology.gateway.port, `${relay.name} is not published as the gateway's own port`);
      const listen = hostPort(relay.listen);
      assert.equal(listen.host, '0.0.0.0', `${relay.name} must listen on every interface of the pod to be published`);
      assert.ok(!componentPorts.includes(listen.port), `${relay.name} listens on ${listen.port}, which a local component uses`);
      const owner = ownerOf(listen.port);
      assert.equal(owner, 'toxiproxy', `in the pod, ${listen.port} is ${owner ?? 'nobody'}'s, not Toxiproxy's`);
      assert.deepEqual(
        publishedPorts(POD).filter((p) => p.target === listen.port || p.published === relay.publishedAs),
        [{ hostIp: '127.0.0.1', published: relay.publishedAs, target: listen.port }],
        `${POD} does not publish ${relay.name} (${listen.port}) as 127.0.0.1:${relay.publishedAs}, and only it`,
      );
    }
  });

  test('loads toxiproxy.json, serves its API on the topology port, and netns publishes the API and every proxy', () => {
    const args = commandArgs('toxiproxy');
    assert.equal(args[args.indexOf('-config') + 1], '/config/toxiproxy.json');
    assert.equal(Number(args[args.indexOf('-port') + 1]), topology.toxiproxyApi);
    assert.ok((services.toxiproxy?.volumes ?? []).includes('./stack/compose/toxiproxy.json:/config/toxiproxy.json:ro'));
    const published = publishedPorts(POD);
    for (const port of [topology.toxiproxyApi, ...topology.proxies.map((p) => p.listen)]) {
      assert.ok(
        published.some((x) => x.hostIp === '127.0.0.1' && x.published === port && x.target === port),
        `${POD} does not publish ${port} as 127.0.0.1:${port}`,
      );
    }
  });
});

describe('Redis, Sentinel and MariaDB in docker-compose.yml', () => {
  test("master and replica run the local stack's options, the replica following the master", () => {
    assert.equal(listenPortOf('redis-master'), topology.redis.master);
    assert.equal(listenPortOf('redis-replica'), topology.redis.replica);
    assert.deepEqual(options(commandArgs('redis-replica')).replicaof, ['127.0.0.1', String(topology.redis.master)]);
    // Paths, logging and bind are the container's; protected mode is off (only the pod reaches it).
    const ownSettings = ['bind', 'dir', 'daemonize', 'logfile', 'protected-mode'];
    for (const which of ['master', 'replica'] as const) {
      const name = `redis-${which}`;
      const strip = (o: Record<string, string[]>) => Object.fromEntries(Object.entries(o).filter(([k]) => !ownSettings.includes(k)));
      const local = strip(options(createRedisComponent(topology, which).launch(localCtx()).args));
      assert.deepEqual(strip(options(commandArgs(name))), local, `${name}'s options differ from the local stack's`);
      assert.deepEqual(options(commandArgs(name))['protected-mode'], ['no']);
    }
  });

  test("three sentinels on the topology ports watch 127.0.0.1's master under its one name, with the local settings", async () => {
    assert.deepEqual(
      sentinelServices,
      topology.redis.sentinels.map((s) => `sentinel-${s.id}`),
    );
    const dir = mkdtempSync(path.join(os.tmpdir(), 'compose-sentinel-'));
    try {
      for (const s of topology.redis.sentinels) {
        const name = `sentinel-${s.id}`;
        const conf = sentinelConf(name);
        assert.ok(conf.includes(`port ${s.port}`), `${name} does not listen on ${s.port}`);
        assert.ok(conf.includes(`sentinel monitor ${REDIS_MASTER_NAME} 127.0.0.1 ${topology.redis.master} 2`), `${name} does not watch the master`);
        assert.ok(conf.includes('sentinel announce-ip 127.0.0.1'), `${name} announces another address than the pod's`);
        const ctx = localCtx(dir);
        await createSentinelComponent(topology, s.id).prepare(ctx);
        const local = readFileSync(ctx.paths.confFile(sentinelConfFile(s.id)), 'utf8').split('\n');
        const sentinelLines = (lines: string[]) => lines.filter((l) => l.startsWith('sentinel '));
        assert.deepEqual(sentinelLines(conf), sentinelLines(local), `${name}'s sentinel settings differ from the local stack's`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("MariaDB runs the local stack's server options, and init.sql creates every database and account", () => {
    assert.equal(listenPortOf('mariadb'), topology.mariadb.port);
    const local = createMariadbComponent(topology).launch(localCtx()).args;
    for (const arg of commandArgs('mariadb')) assert.ok(local.includes(arg), `mariadb's ${arg} is not what the local stack runs`);
    const mounts = (services.mariadb?.volumes ?? []).filter((v): v is string => typeof v === 'string');
    assert.ok(mounts.includes('./stack/compose/init.sql:/docker-entrypoint-initdb.d/init.sql:ro'));
    const sql = read('stack/compose/init.sql');
    for (const db of Object.values(DATABASES)) {
      assert.ok(sql.includes(`CREATE DATABASE IF NOT EXISTS \`${db.database}\``), `init.sql does not create ${db.database}`);
      assert.ok(sql.includes(`CREATE USER IF NOT EXISTS '${db.user}'@'%' IDENTIFIED BY '${db.password}'`), `init.sql does not create ${db.user}`);
      assert.ok(sql.includes(`GRANT ALL PRIVILEGES ON \`${db.database}\`.* TO '${db.user}'@'%'`), `init.sql does not grant ${db.database} to ${db.user}`);
    }
    // ticketctl's accounts, each with exactly the grants the local stack gives it.
    const grantsOf = (user: string) => [...sql.matchAll(new RegExp(`^GRANT (.+) TO '${user}'@'%';$`, 'gm'))].map((m) => m[1]);
    for (const a of Object.values(TICKETCTL_DB_ACCOUNTS)) {
      assert.ok(sql.includes(`CREATE USER IF NOT EXISTS '${a.user}'@'%' IDENTIFIED BY '${a.password}'`), `init.sql does not create ${a.user}`);
      assert.deepEqual(grantsOf(a.user), a.grants, `${a.user}'s grants differ from contracts/databases.ts`);
    }
    assert.doesNotMatch(sql, /GRANT [^;]*\b(DELETE|DROP|ALTER|CREATE)\b[^;]*TO 'ticketctl_/, 'no ticketctl account may delete or change the schema');
  });

  test('every bind-mounted file exists in the repository', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const source = typeof volume === 'string' ? volume.split(':')[0]! : (volume.source ?? '');
        if (source.startsWith('./')) assert.ok(existsSync(path.join(root, source)), `${name} mounts missing ${source}`);
      }
    }
  });
});
