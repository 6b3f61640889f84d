import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dockerHostValue, parseDockerHost } from './docker-host.ts';

test('DOCKER_HOST: unix and tcp forms parse and print back the same', () => {
  for (const v of ['unix:///var/run/docker.sock', 'unix:///work/.stack/run/docker.sock', 'tcp://127.0.0.1:2375', 'tcp://docker:2376']) assert.equal(dockerHostValue(parseDockerHost(v)), v);
  assert.deepEqual(parseDockerHost('tcp://localhost:2375/'), { kind: 'tcp', host: 'localhost', port: 2375 });
});

test('DOCKER_HOST: anything else is a usage error (exit 2) naming the accepted forms', () => {
  for (const v of ['', '/var/run/docker.sock', 'unix://', 'tcp://host', 'tcp://host:0', 'tcp://host:70000', 'ssh://me@host', 'npipe:////./pipe/docker_engine']) {
    assert.throws(
      () => parseDockerHost(v),
      (err: Error & { exitCode?: number; hint?: string }) => err.exitCode === 2 && /unix:\/\/\/path/.test(err.hint ?? ''),
      v,
    );
  }
});
