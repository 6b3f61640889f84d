// docker-compose.yml is never run on these machines (no Docker engine), so this test is
// what keeps it honest: it must be a valid Compose file (the official Compose
// Specification schema, vendored in fixtures/) and it must describe the same topology as
// contracts/topology.ts, which the local-process stack is built from.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { REDIS_MASTER_NAME } from '../../contracts/topology.ts';
import { KAFKA_VERSION } from '../../stack/components/kafka.ts';
import { SENTINEL_DOWN_AFTER_MS, SENTINEL_FAILOVER_TIMEOUT_MS } from '../../stack/components/sentinel.ts';
import { TOXIPROXY_VERSION } from '../../stack/components/toxiproxy.ts';

import {
  root,
  rawCompose,
  services,
  toxiproxyJson,
  topology,
  envOf,
  need,
  hostPort,
  commandArgs,
  listenPortOf,
  dependsOn,
  publishedPorts,
  kafkaServices,
  sentinelServices,
  read,
  upstreamService,
} from './compose-file.ts';
import { DATABASES } from '../../contracts/databases.ts';

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
    broken.services['kafka-1']!.imagee = 'apache/kafka:3.9.1';
    assert.equal(validate(broken), false);
  });

  test('pins the versions the local stack runs', () => {
    for (const name of [...kafkaServices, 'kafka-init']) assert.equal(services[name]?.image, `apache/kafka:${KAFKA_VERSION}`, name);
    assert.equal(services.toxiproxy?.image, `ghcr.io/shopify/toxiproxy:${TOXIPROXY_VERSION.replace(/^v/, '')}`);
    for (const name of ['redis-master', 'redis-replica', ...sentinelServices]) assert.equal(services[name]?.image, 'redis:7', name);
    assert.equal(services.mariadb?.image, 'mariadb:10.11');
  });

  test('publishes every port on 127.0.0.1 only', () => {
    for (const name of Object.keys(services)) {
      for (const port of publishedPorts(name)) assert.equal(port.hostIp, '127.0.0.1', `${name} publishes ${port.published} beyond 127.0.0.1`);
    }
  });

  test('gives every long-running service a healthcheck, and waits on health where it depends', () => {
    for (const [name, service] of Object.entries(services)) {
      if (name !== 'kafka-init') assert.ok(service.healthcheck?.test && !service.healthcheck.disable, `${name} has no healthcheck`);
      for (const [dep, condition] of Object.entries(dependsOn(name))) {
        assert.ok(services[dep], `${name} depends on unknown service ${dep}`);
        if (condition === 'service_healthy') assert.ok(services[dep]?.healthcheck?.test, `${name} waits for ${dep} to be healthy, but it has no healthcheck`);
      }
    }
  });
});

describe('Toxiproxy in docker-compose.yml', () => {
  test('toxiproxy.json has exactly the topology proxies, on the topology listen ports', () => {
    const actual = toxiproxyJson.map((p) => ({ name: p.name, listen: hostPort(p.listen).port, upstream: hostPort(p.upstream).port }));
    const expected = topology.proxies.map((p) => ({ name: p.name, listen: p.listen, upstream: p.upstream }));
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    assert.deepEqual(actual.sort(byName), expected.sort(byName));
    for (const p of toxiproxyJson) {
      assert.equal(hostPort(p.listen).host, '0.0.0.0', `${p.name} must listen on every interface of its container`);
      assert.notEqual(p.enabled, false, `${p.name} starts disabled`);
    }
  });

  test('every proxy forwards to a compose service on the port that service listens on', () => {
    for (const p of toxiproxyJson) {
      const { host, port } = hostPort(p.upstream);
      // A loopback upstream is a service in Toxiproxy's own network namespace (the gateway).
      const target = upstreamService(p.upstream);
      assert.ok(target, `${p.name} forwards to ${p.upstream}, which no compose service serves`);
      if (host === '127.0.0.1') assert.equal(services[target]?.network_mode, 'service:toxiproxy');
      assert.equal(port, listenPortOf(target), `${p.name} forwards to ${target}:${port}, which does not listen there`);
    }
  });

  test('loads toxiproxy.json, serves its API on the topology port, and publishes every proxy on its own port', () => {
    const args = commandArgs('toxiproxy');
    assert.equal(args[args.indexOf('-config') + 1], '/config/toxiproxy.json');
    assert.equal(Number(args[args.indexOf('-port') + 1]), topology.toxiproxyApi);
    assert.ok((services.toxiproxy?.volumes ?? []).includes('./stack/compose/toxiproxy.json:/config/toxiproxy.json:ro'));
    const published = publishedPorts('toxiproxy');
    for (const port of [topology.toxiproxyApi, ...topology.proxies.map((p) => p.listen)]) {
      assert.ok(
        published.some((x) => x.published === port && x.target === port),
        `toxiproxy does not publish ${port} as ${port}`,
      );
    }
  });
});

describe('Redis, Sentinel and MariaDB in docker-compose.yml', () => {
  test('master and replica listen on the topology ports, the replica following the master', () => {
    assert.equal(listenPortOf('redis-master'), topology.redis.master);
    assert.equal(listenPortOf('redis-replica'), topology.redis.replica);
    const args = commandArgs('redis-replica');
    assert.deepEqual(args.slice(args.indexOf('--replicaof') + 1, args.indexOf('--replicaof') + 3), ['redis-master', String(topology.redis.master)]);
  });

  test('three sentinels on the topology ports watch the master under its one name, with the local timings', () => {
    assert.equal(sentinelServices.length, topology.redis.sentinels.length);
    for (const s of topology.redis.sentinels) {
      const name = `redis-sentinel-${s.id}`;
      const env = envOf(name);
      assert.equal(Number(need(env, 'SENTINEL_PORT')), s.port, name);
      assert.ok(
        publishedPorts(name).some((x) => x.published === s.port && x.target === s.port),
        `${name} does not publish ${s.port}`,
      );
      assert.equal(need(env, 'REDIS_MASTER_NAME'), REDIS_MASTER_NAME);
      assert.equal(`${need(env, 'REDIS_MASTER_HOST')}:${need(env, 'REDIS_MASTER_PORT')}`, `redis-master:${topology.redis.master}`);
      assert.equal(Number(need(env, 'SENTINEL_DOWN_AFTER_MS')), SENTINEL_DOWN_AFTER_MS);
      assert.equal(Number(need(env, 'SENTINEL_FAILOVER_TIMEOUT_MS')), SENTINEL_FAILOVER_TIMEOUT_MS);
      assert.equal(need(env, 'SENTINEL_QUORUM'), '2');
    }
  });

  test('MariaDB listens on the topology port and init.sql creates every database and account', () => {
    assert.equal(listenPortOf('mariadb'), topology.mariadb.port);
    const mounts = (services.mariadb?.volumes ?? []).filter((v): v is string => typeof v === 'string');
    assert.ok(mounts.includes('./stack/compose/init.sql:/docker-entrypoint-initdb.d/init.sql:ro'));
    const sql = read('stack/compose/init.sql');
    for (const db of Object.values(DATABASES)) {
      assert.ok(sql.includes(`CREATE DATABASE IF NOT EXISTS \`${db.database}\``), `init.sql does not create ${db.database}`);
      assert.ok(sql.includes(`CREATE USER IF NOT EXISTS '${db.user}'@'%' IDENTIFIED BY '${db.password}'`), `init.sql does not create ${db.user}`);
      assert.ok(sql.includes(`GRANT ALL PRIVILEGES ON \`${db.database}\`.* TO '${db.user}'@'%'`), `init.sql does not grant ${db.database} to ${db.user}`);
    }
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
