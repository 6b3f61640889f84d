import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { findEngine } from '../../stack/docker/engine.ts';
import { testStack } from '../helpers/stack.ts';

// The images the compose deployment runs, as built by `stack up --platform compose` in this
// suite's global setup (issue #11, item 2): each runs as a non-root user, and none carries
// the build-time CA bundle (a BuildKit secret: neither the mount nor what with-build-ca
// added to a trust store may be left in a layer).

const IMAGES = ['ticketing/kafka:3.9.1', 'ticketing/redis:7.0', 'ticketing/mariadb:10.11', 'ticketing/toxiproxy:2.12.0', 'ticketing/app:local'];

async function inImage(image: string, script: string): Promise<string> {
  const engine = (await findEngine(testStack().paths))!;
  const r = await execa('docker', ['run', '--rm', '--network', 'none', '--entrypoint', 'sh', image, '-c', script], { env: { DOCKER_HOST: engine.dockerHost }, reject: false });
  assert.equal(r.exitCode, 0, `${image}: ${r.stderr}`);
  return r.stdout.trim();
}

for (const image of IMAGES) {
  test(`${image}: runs as a non-root user and keeps no build-time CA bundle`, { timeout: 120_000 }, async () => {
    const uid = await inImage(image, 'id -u');
    assert.notEqual(uid, '0', `${image} runs as root`);
    const left = await inImage(image, 'ls -d /run/secrets/build_ca /usr/local/share/ca-certificates/build-ca 2>/dev/null || true');
    assert.equal(left, '', `${image} keeps ${left}`);
  });
}
