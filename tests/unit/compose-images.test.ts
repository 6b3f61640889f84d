// The images docker-compose.yml runs: the project's own, each built by one service from
// images/<name>/Dockerfile on one switchable Debian base (TICKETING_BASE_IMAGE), with the
// build CA as a BuildKit secret. Static: nothing is built here.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { KAFKA_VERSION } from '../../stack/components/kafka.ts';
import { TOXIPROXY_VERSION } from '../../stack/components/toxiproxy.ts';

import { compose, interpolate, mapOf, read, root, services, kafkaServices, sentinelServices, appServices, type Build } from './compose-file.ts';
import { contextSources, copyParts, dockerIgnored, filesUnder, imageDockerfiles, parseDockerfile } from './dockerfile.ts';

const buildOf = (name: string): Build | undefined => {
  const b = services[name]?.build;
  return typeof b === 'string' ? { context: b } : b;
};
const builders = Object.keys(services).filter((name) => buildOf(name));
const dockerfiles = imageDockerfiles.map(parseDockerfile);
const BASE = 'debian:bookworm-slim';

describe('Images in docker-compose.yml', () => {
  test('each image is built by exactly one service, from images/<name>/Dockerfile, and every other service names a built image', () => {
    const built = new Map<string, string>();
    for (const name of builders) {
      const image = services[name]!.image;
      assert.ok(image, `${name} builds an image it does not name`);
      assert.ok(!built.has(image), `${image} is built by both ${built.get(image)} and ${name}`);
      built.set(image, name);
      const m = /^ticketing\/([a-z0-9-]+):[\w.-]+$/.exec(image);
      assert.ok(m, `${name} builds ${image}, not a ticketing/<name>:<tag> image`);
      const build = buildOf(name)!;
      assert.equal(build.context, '.', `${name} does not build from the repository root`);
      assert.equal(build.dockerfile, `images/${m[1]}/Dockerfile`, `${name} builds ${image} from another Dockerfile`);
    }
    for (const [name, s] of Object.entries(services)) {
      if (!s.build) assert.ok(s.image && built.has(s.image), `${name} runs ${s.image}, which no service builds`);
    }
    assert.deepEqual([...built.values()].map((name) => buildOf(name)!.dockerfile).sort(), imageDockerfiles, 'an images/*/Dockerfile that no service builds');
  });

  test('runs the versions the local stack runs', () => {
    for (const name of [...kafkaServices, 'kafka-init']) assert.equal(services[name]?.image, `ticketing/kafka:${KAFKA_VERSION}`, name);
    assert.match(read('stack/kafka/pom.xml'), new RegExp(`<kafka\\.version>${KAFKA_VERSION.replace(/\./g, '\\.')}</kafka\\.version>`));
    assert.equal(services.toxiproxy?.image, `ticketing/toxiproxy:${TOXIPROXY_VERSION.replace(/^v/, '')}`);
    const toxiproxyArgs = parseDockerfile('images/toxiproxy/Dockerfile').stages.flatMap((s) => s.steps.filter((x) => x.op === 'ARG').map((x) => x.args));
    assert.ok(toxiproxyArgs.includes(`TOXIPROXY_VERSION=${TOXIPROXY_VERSION}`), 'images/toxiproxy builds another Toxiproxy version');
    for (const name of ['redis-master', 'redis-replica', ...sentinelServices]) assert.equal(services[name]?.image, 'ticketing/redis:7.0', name);
    assert.equal(services.mariadb?.image, 'ticketing/mariadb:10.11');
    for (const name of ['gateway', ...appServices]) assert.equal(services[name]?.image, 'ticketing/app:local', name);
  });

  test('builds on one switchable base, and gets the build CA as a secret only', () => {
    for (const name of builders) {
      const args = (env: Record<string, string>) => mapOf(buildOf(name)!.args, env);
      assert.deepEqual(args({}), { BASE_IMAGE: BASE }, `${name}'s build args`);
      assert.deepEqual(args({ TICKETING_BASE_IMAGE: 'local/debian:x' }), { BASE_IMAGE: 'local/debian:x' }, `${name} ignores TICKETING_BASE_IMAGE`);
      assert.deepEqual(buildOf(name)!.secrets, ['build_ca'], `${name}'s build secrets`);
    }
    const file = compose.secrets?.build_ca?.file;
    assert.ok(file, 'no top-level build_ca secret file');
    assert.equal(interpolate(file), '/dev/null', 'without TICKETING_BUILD_CA the secret is empty');
    assert.equal(interpolate(file, { TICKETING_BUILD_CA: '/etc/ca.pem' }), '/etc/ca.pem');
    // Every secret a Dockerfile mounts is one its building service passes.
    for (const df of dockerfiles) {
      const builder = builders.find((name) => buildOf(name)!.dockerfile === df.file);
      for (const m of read(df.file).matchAll(/--mount=type=secret,id=([\w-]+)/g)) {
        assert.ok(builder && buildOf(builder)!.secrets?.includes(m[1]!), `${df.file} mounts secret ${m[1]}, which ${builder} does not pass`);
      }
    }
  });
});

describe('images/*/Dockerfile', () => {
  test('there are Dockerfiles to check', () => assert.ok(dockerfiles.length >= 5, imageDockerfiles.join(', ')));

  test(`every Dockerfile declares ARG BASE_IMAGE=${BASE}, starts FROM \${BASE_IMAGE} and never FROM another image`, () => {
    for (const df of dockerfiles) {
      assert.ok(
        df.preamble.some((s) => s.op === 'ARG' && s.args === `BASE_IMAGE=${BASE}`),
        `${df.file} has no ARG BASE_IMAGE=${BASE} before its first FROM`,
      );
      assert.equal(df.stages[0]?.from, '${BASE_IMAGE}', `${df.file} does not start FROM \${BASE_IMAGE}`);
      for (const [i, stage] of df.stages.entries()) {
        const earlier = df.stages.slice(0, i).map((s) => s.name);
        assert.ok(stage.from === '${BASE_IMAGE}' || earlier.includes(stage.from), `${df.file}: FROM ${stage.from} is neither \${BASE_IMAGE} nor an earlier stage`);
      }
    }
  });

  test('the final stage of every Dockerfile runs as a user that is not root', () => {
    for (const df of dockerfiles) {
      const user = df.stages
        .at(-1)!
        .steps.filter((s) => s.op === 'USER')
        .at(-1)?.args;
      assert.ok(user, `${df.file}'s image runs as root (no USER in its final stage)`);
      assert.ok(!/^(root|0)(:|$)/.test(user), `${df.file}'s image runs as ${user}`);
    }
  });

  test('every COPY source exists and .dockerignore lets it through; every COPY --from names an earlier stage', () => {
    for (const df of dockerfiles) {
      for (const src of contextSources(df)) {
        assert.ok(existsSync(path.join(root, src)), `${df.file}: COPY ${src}: no such path`);
        assert.ok(!dockerIgnored(src), `${df.file}: .dockerignore keeps ${src} out of the build context`);
        assert.ok(
          filesUnder(src).some((f) => !dockerIgnored(f)),
          `${df.file}: .dockerignore lets nothing under ${src} through`,
        );
      }
      for (const [i, stage] of df.stages.entries()) {
        for (const step of stage.steps.filter((s) => s.op === 'COPY')) {
          const from = copyParts(step).flags.from;
          if (from !== undefined)
            assert.ok(
              df.stages.slice(0, i).some((s) => s.name === from),
              `${df.file}: COPY --from=${from} names no earlier stage`,
            );
        }
      }
    }
  });
});
