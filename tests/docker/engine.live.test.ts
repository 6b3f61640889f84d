import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { httpGet, waitFor } from '../../lib/index.ts';
import { ENGINE_NAME, dockerClient, enginePaths, findEngine, stackEngineRecord, stopStackEngine, type Engine } from '../../stack/docker/engine.ts';
import { ensureEngine } from '../../stack/docker/provision.ts';
import { isAlive } from '../../stack/supervisor/process.ts';
import { stackDown } from '../../stack/index.ts';
import { toxiproxyBin } from '../../stack/provision/index.ts';
import { ctx } from '../helpers/service.ts';

// The Docker engine as a part of the stack (issue #11, item 1), for real: where none answers
// (as on this machine), `ensureEngine` installs Debian's docker.io and starts the stack's own
// dockerd by recorded PID, its socket under the stack folder; a container it runs publishes
// its ports on 127.0.0.1 only; stopping it stops exactly that process. A DOCKER_HOST that
// names nothing is an error naming it, never a quiet switch to another engine.

const IMAGE = 'ticketing-test/static-toxiproxy:local';
const noDockerHost = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'DOCKER_HOST'));
let engine: Engine | undefined;
let startedHere = false;

// Also when an assertion failed: an engine this run started does not outlive it.
after(async () => {
  if (startedHere) await stopStackEngine(ctx.paths);
});

test('no engine answers: the stack provisions and starts its own dockerd, recorded by PID, socket under the stack folder', { timeout: 600_000 }, async () => {
  startedHere = !(await findEngine(ctx.paths, noDockerHost));
  engine = await ensureEngine(ctx.paths, undefined, noDockerHost);
  assert.match(engine.version, /^\d+\.\d+/);
  assert.ok(Number(engine.apiVersion) >= 1.41, `API ${engine.apiVersion}`);
  if (engine.source !== 'stack') return; // a machine with its own engine uses it: nothing of ours to check
  assert.equal(engine.dockerHost, `unix://${enginePaths(ctx.paths).socket}`);
  const rec = stackEngineRecord(ctx.paths);
  assert.ok(rec && isAlive(rec), 'dockerd recorded and alive');
  assert.match(rec.argv.join(' '), /--ip 127\.0\.0\.1/);
  // Asked again, the running engine is found, not started a second time.
  const again = await ensureEngine(ctx.paths, undefined, noDockerHost);
  assert.equal(again.source, 'stack');
  assert.equal(stackEngineRecord(ctx.paths)?.pid, rec.pid);
});

test('a container of that engine publishes on 127.0.0.1 only, and answers there', { timeout: 300_000 }, async (t) => {
  assert.ok(engine, 'the engine test ran first');
  const docker = dockerClient(engine.endpoint, 60_000);
  t.after(async () => {
    for (const c of await docker.listContainers({ all: true, filters: { ancestor: [IMAGE] } })) await docker.getContainer(c.Id).remove({ force: true });
    await docker
      .getImage(IMAGE)
      .remove()
      .catch(() => {});
  });
  // No registry is reachable here: an image of one static binary the stack already built.
  const bin = toxiproxyBin(ctx.paths, 'server');
  const tar = execa('tar', ['-C', path.dirname(bin), '-c', path.basename(bin)], { encoding: 'buffer' });
  const [repo, tag] = IMAGE.split(/:(?=[^:]+$)/);
  const stream = await docker.importImage(tar.stdout, { repo, tag });
  await new Promise((resolve, reject) => docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve(undefined))));
  await tar;
  const container = await docker.createContainer({
    Image: IMAGE,
    Cmd: [`/${path.basename(bin)}`, '-host', '0.0.0.0', '-port', '8474'],
    ExposedPorts: { '8474/tcp': {} },
    HostConfig: { PortBindings: { '8474/tcp': [{ HostPort: '0' }] }, AutoRemove: false },
  });
  await container.start();
  const bound = (await container.inspect()).NetworkSettings.Ports['8474/tcp'] ?? [];
  assert.ok(bound.length > 0, 'the port is published');
  // The stack's own engine binds published ports to loopback unless told otherwise (--ip); another engine is as its owner set it up.
  if (engine.source === 'stack') assert.deepEqual([...new Set(bound.map((b) => b.HostIp))], ['127.0.0.1']);
  const hostPort = Number(bound[0]!.HostPort);
  const answer = await waitFor(() => httpGet(`http://127.0.0.1:${hostPort}/version`, 2000), { timeoutMs: 20_000, intervalMs: 100, what: 'the container to answer on its published port' });
  assert.equal(answer.status, 200, answer.text);
});

test('DOCKER_HOST naming no engine: exit 1 naming it; not an address: exit 2', async () => {
  await assert.rejects(
    findEngine(ctx.paths, { ...noDockerHost, DOCKER_HOST: 'unix:///nonexistent/docker.sock' }),
    (err: Error & { exitCode?: number }) => err.exitCode === 1 && /DOCKER_HOST=unix:\/\/\/nonexistent/.test(err.message),
  );
  await assert.rejects(findEngine(ctx.paths, { ...noDockerHost, DOCKER_HOST: 'localhost' }), (err: Error & { exitCode?: number }) => err.exitCode === 2);
});

test('stack down stops exactly the recorded dockerd of the stack; its socket is gone', { timeout: 120_000 }, async (t) => {
  if (!startedHere) return t.skip('the engine was not started by this test run');
  const rec = stackEngineRecord(ctx.paths)!;
  const report = await stackDown(ctx, { only: [ENGINE_NAME] });
  assert.deepEqual(report.stopped, [{ name: ENGINE_NAME, outcome: 'stopped' }], 'dockerd exits on SIGTERM (no SIGKILL needed)');
  startedHere = false;
  assert.equal(isAlive(rec), false);
  assert.equal(await findEngine(ctx.paths, noDockerHost), undefined);
  assert.equal(existsSync(enginePaths(ctx.paths).socket), false, 'dockerd removed its socket');
});
