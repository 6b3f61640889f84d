import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dockerClient, findEngine } from '../../stack/docker/engine.ts';
import { ticketctl } from '../helpers/cli.ts';
import { testStack } from '../helpers/stack.ts';

// `stack up` on a compose deployment that cannot come up (issue #11, "Bad input"): a service
// failing its healthcheck is named with the end of its log, and what this `up` started is
// taken back; an image whose build fails is named with the last lines of the build, and
// nothing is started. Small compose files of their own (no published ports), beside the
// deployment the suite runs, on the same engine and images.

const dir = mkdtempSync(path.join(tmpdir(), 'bad-deploy-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const containersOf = async (project: string) => {
  const engine = (await findEngine(testStack().paths))!;
  return dockerClient(engine.endpoint, 30_000).listContainers({ all: true, filters: { label: [`com.docker.compose.project=${project}`] } });
};

function contextFor(project: string, composeFile: string): Record<string, string> {
  const config = path.join(dir, `${project}.json`);
  writeFileSync(config, JSON.stringify({ contexts: { [project]: { platform: 'compose', compose: { project, file: composeFile } } } }));
  return { TICKETCTL_CONFIG: config, TICKETCTL_CONTEXT: project };
}

test('a service that fails its healthcheck: named with its log, and this up rolled back', { timeout: 600_000 }, async () => {
  const project = 'ticketing-unhealthy-test';
  const file = path.join(dir, 'unhealthy.yml');
  writeFileSync(
    file,
    `name: ${project}
services:
  fine:
    image: ticketing/redis:7.0
    command: ["redis-server", "--port", "26379"]
    healthcheck: { test: ["CMD", "redis-cli", "-p", "26379", "ping"], interval: 1s, retries: 30 }
  sick:
    image: ticketing/redis:7.0
    command: ["sh", "-c", "echo 'sick: cannot reach its database' && exec redis-server --port 26380"]
    healthcheck: { test: ["CMD", "false"], interval: 1s, timeout: 2s, retries: 2 }
`,
  );
  const r = await ticketctl(['stack', 'up'], contextFor(project, file), 600_000);
  assert.equal(r.exitCode, 1, r.stderr);
  assert.match(r.stderr, /The compose deployment did not come up: sick failed its healthcheck or exited/);
  assert.match(r.stderr, /--- sick \(running, unhealthy\) ---[\s\S]*sick: cannot reach its database/);
  assert.match(r.stderr, /Rolled back: .*sick/);
  assert.deepEqual(await containersOf(project), [], 'what the failed up started is still there');
});

test('an image whose build fails: named with the end of the build, nothing started', { timeout: 600_000 }, async () => {
  const project = 'ticketing-badimage-test';
  const ctx = path.join(dir, 'badimage');
  mkdirSync(ctx, { recursive: true });
  writeFileSync(path.join(ctx, 'Dockerfile'), 'ARG BASE_IMAGE=debian:bookworm-slim\nFROM ${BASE_IMAGE}\nRUN echo "fetching a dependency that is not there" && exit 3\n');
  const file = path.join(dir, 'badimage.yml');
  writeFileSync(
    file,
    `name: ${project}
services:
  broken:
    image: ticketing-test/broken:never
    build: { context: ${ctx}, args: { BASE_IMAGE: "\${TICKETING_BASE_IMAGE:-debian:bookworm-slim}" } }
`,
  );
  const r = await ticketctl(['stack', 'up'], contextFor(project, file), 600_000);
  assert.equal(r.exitCode, 1, r.stderr);
  assert.match(r.stderr, /Building the images failed at broken's image/);
  assert.match(r.stderr, /fetching a dependency that is not there/);
  assert.deepEqual(await containersOf(project), []);
});
