import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { httpGet } from '../../lib/index.ts';
import { dockerClient, findEngine, stopStackEngine, type Engine } from '../../stack/docker/engine.ts';
import { ensureEngine } from '../../stack/docker/provision.ts';
import { compose, COMPOSE_VERSION, ensureCompose } from '../../stack/docker/compose.ts';
import { toxiproxyBin } from '../../stack/provision/index.ts';
import { ctx } from '../helpers/service.ts';

// Compose v2 on the stack's engine (issue #11, item 1: "and Compose v2 with it"), for real:
// built once from the Go module proxy, it brings a project up and waits for its
// healthcheck (--wait), lists it healthy, publishes on 127.0.0.1, and `down` leaves no
// container behind. The image is two static binaries the stack already built (Toxiproxy's
// server and CLI): no registry is reachable here.

const IMAGE = 'ticketing-test/static-toxiproxy-cli:local';
const PROJECT = 'ticketing-compose-test';
const noDockerHost = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'DOCKER_HOST'));
const dir = mkdtempSync(path.join(tmpdir(), 'compose-test-'));
let engine: Engine | undefined;
let startedHere = false;

after(async () => {
  if (engine) {
    const docker = dockerClient(engine.endpoint, 30_000);
    for (const c of await docker.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${PROJECT}`] } })) await docker.getContainer(c.Id).remove({ force: true });
    await docker
      .getImage(IMAGE)
      .remove()
      .catch(() => {});
  }
  if (startedHere) await stopStackEngine(ctx.paths);
  rmSync(dir, { recursive: true, force: true });
});

const COMPOSE_FILE = `name: ${PROJECT}
services:
  proxy:
    image: ${IMAGE}
    command: ["/toxiproxy-server", "-host", "0.0.0.0", "-port", "8474"]
    ports: ["127.0.0.1::8474"]
    healthcheck:
      test: ["CMD", "/toxiproxy-cli", "-h", "http://127.0.0.1:8474", "list"]
      interval: 1s
      retries: 60
`;

test('compose v2: built once, a project comes up healthy (--wait) on 127.0.0.1 and goes down leaving nothing', { timeout: 900_000 }, async () => {
  startedHere = !(await findEngine(ctx.paths, noDockerHost));
  engine = await ensureEngine(ctx.paths, undefined, noDockerHost);
  const bin = await ensureCompose(ctx.paths);
  assert.equal(await compose(bin, engine, ['version', '--short']), COMPOSE_VERSION.replace(/^v/, ''));

  const docker = dockerClient(engine.endpoint, 60_000);
  const server = toxiproxyBin(ctx.paths, 'server');
  const tar = execa('tar', ['-C', path.dirname(server), '-c', path.basename(server), path.basename(toxiproxyBin(ctx.paths, 'cli'))], { encoding: 'buffer' });
  const [repo, tag] = IMAGE.split(/:(?=[^:]+$)/);
  const stream = await docker.importImage(tar.stdout, { repo, tag });
  await new Promise((resolve, reject) => docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve(undefined))));
  await tar;
  // The binaries keep their names inside the image; the compose file calls them by those.
  const renamed = COMPOSE_FILE.replaceAll('/toxiproxy-server', `/${path.basename(server)}`).replaceAll('/toxiproxy-cli', `/${path.basename(toxiproxyBin(ctx.paths, 'cli'))}`);
  writeFileSync(path.join(dir, 'compose.yml'), renamed);

  await compose(bin, engine, ['up', '--detach', '--wait', '--wait-timeout', '120'], { cwd: dir });
  const ps = (await compose(bin, engine, ['ps', '--format', 'json'], { cwd: dir }))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { Service: string; State: string; Health: string });
  assert.deepEqual(
    ps.map((p) => [p.Service, p.State, p.Health]),
    [['proxy', 'running', 'healthy']],
  );
  const published = (await compose(bin, engine, ['port', 'proxy', '8474'], { cwd: dir })).trim();
  assert.match(published, /^127\.0\.0\.1:\d+$/);
  assert.equal((await httpGet(`http://${published}/version`, 5000)).status, 200);

  await compose(bin, engine, ['down', '--volumes'], { cwd: dir });
  assert.deepEqual(await docker.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${PROJECT}`] } }), [], 'down leaves no container');
});
