import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { execa } from 'execa';
import { REPO_ROOT } from '../../contracts/index.ts';
import { waitFor } from '../../lib/index.ts';
import { dockerClient, findEngine } from '../../stack/docker/engine.ts';
import { testStack } from '../helpers/stack.ts';

// testing/ and examples/ci-drill.ts (issue #11, item 6), on the real engine: the example a
// user's CI copies starts the stack with testcontainers, passes a drill through ticketctl and
// leaves nothing behind; and a run killed with SIGKILL mid-way is still torn down (the
// watchdog in testing/watchdog.ts, since testcontainers' Ryuk cannot be had here).
// Run by `npm run test:testcontainers`, after the compose suite has freed the stack's ports.

const projectContainers = async (project: string) => {
  const engine = await findEngine(testStack().paths);
  if (!engine) return [];
  return dockerClient(engine.endpoint, 30_000).listContainers({ all: true, filters: { label: [`com.docker.compose.project=${project}`] } });
};
const projectVolumes = async (project: string) => {
  const engine = await findEngine(testStack().paths);
  if (!engine) return [];
  const { Volumes } = await dockerClient(engine.endpoint, 30_000).listVolumes({ filters: { label: [`com.docker.compose.project=${project}`] } });
  return Volumes ?? [];
};

test('examples/ci-drill.ts: stack up with testcontainers, kafka-broker-killed passes through ticketctl, stack removed', { timeout: 2_400_000 }, async () => {
  const r = await execa(process.execPath, [path.join(REPO_ROOT, 'examples', 'ci-drill.ts'), 'kafka-broker-killed'], { reject: false, all: true, timeout: 2_400_000 });
  assert.equal(r.exitCode, 0, r.all?.split('\n').slice(-40).join('\n'));
  assert.match(r.all ?? '', /PASS {2}drill kafka-broker-killed/);
  const project = /compose project (ticketing-tc-[a-z0-9]+)/.exec(r.all ?? '')?.[1];
  assert.ok(project, 'the example did not say its project');
  assert.deepEqual(await projectContainers(project), [], 'containers left behind');
  assert.deepEqual(await projectVolumes(project), [], 'volumes left behind');
});

test('a run killed with SIGKILL after the stack is up still leaves no container or volume behind', { timeout: 1_800_000 }, async () => {
  const project = `ticketing-tc-killed-${Date.now().toString(36)}`;
  const script = `import { startTicketingStack } from ${JSON.stringify(path.join(REPO_ROOT, 'testing', 'index.ts'))};
const s = await startTicketingStack({ project: ${JSON.stringify(project)} });
console.log('UP ' + s.project);
setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const up = await new Promise<boolean>((resolve) => {
    child.stdout.on('data', (b: Buffer) => b.toString().includes(`UP ${project}`) && resolve(true));
    child.on('exit', () => resolve(false));
  });
  assert.ok(up, 'the stack did not come up');
  assert.ok((await projectContainers(project)).length >= 14, 'the project does not run');
  child.kill('SIGKILL');
  await waitFor(async () => (await projectContainers(project)).length === 0 && (await projectVolumes(project)).length === 0, {
    timeoutMs: 180_000,
    intervalMs: 2000,
    what: `compose project ${project} to be torn down after its owner was killed`,
  });
});
