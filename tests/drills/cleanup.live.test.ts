import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { waitFor } from '../../lib/wait.ts';
import { findComponent } from '../../stack/components/index.ts';
import { stackStatus } from '../../stack/index.ts';
import { runningRecord } from '../../stack/supervisor/managed.ts';
import { isProcessStopped } from '../../stack/supervisor/proc.ts';
import { faultLogPath, openFaults, readFaultLog } from '../../drills/fault-log.ts';
import { createToxiproxyApi } from '../../clients/toxiproxy.ts';
import { TICKETCTL } from '../helpers/cli.ts';
import { ctx, parseJson, scratch } from '../cli/helpers.ts';
import { restoreStack } from '../helpers/stack.ts';
import { httpGet } from '../../lib/http.ts';

// The promise of `ticketctl drill cleanup`: a drill runner SIGKILLed while its faults are
// applied (no rollback can run) leaves them in place, and cleanup, reading only the fault
// log, reverts every one: proxy enabled, toxic gone, paused process continued, killed
// process started again, gateway knobs put back, stack healthy. A second cleanup is a
// no-op. The drill here uses one fault of each kind, on components whose loss the stack
// rides out (replica proxy, a third Sentinel, a third service instance).

const s = scratch('drill-cleanup');
const toxiproxy = createToxiproxyApi(`http://${ctx.topology.host}:${ctx.topology.toxiproxyApi}`);
const gatewayKnobs = async () => (await httpGet(`http://${ctx.topology.host}:${ctx.topology.gateway.port}/knobs`, 5000)).body as Record<string, number>;
const record = (name: string) => runningRecord(ctx.paths, findComponent(ctx.topology, name)!);

const scenarios = mkdtempSync(path.join(os.tmpdir(), 'drill-scenarios-'));
writeFileSync(
  path.join(scenarios, 'cleanup-probe.json'),
  JSON.stringify({
    name: 'cleanup-probe',
    title: 'every fault kind at once, held long enough to kill the runner',
    report: 'test',
    description: 'tests/drills/cleanup.live.test.ts',
    faults: [
      { type: 'proxy-down', proxies: ['redis-replica'] },
      { type: 'toxic', proxy: 'gateway', toxic: 'latency', attributes: { latency: 50 } },
      { type: 'gateway-knobs', knobs: { latencyMs: 25 } },
      { type: 'pause', process: 'sentinel-3' },
      { type: 'kill', process: 'service-3' },
    ],
    faultAfterMs: 0,
    detect: { probes: ['service-health'], withinMs: 30_000 },
    load: { seats: 2, operations: 2, durationMs: 500 },
    observeMs: 600_000,
    invariants: ['no-double-sale'],
  }),
);

writeFileSync(
  path.join(scenarios, 'interrupt-probe.json'),
  JSON.stringify({
    name: 'interrupt-probe',
    title: 'a slow database and a cut replica proxy, held until Ctrl-C',
    report: 'test',
    description: 'tests/drills/cleanup.live.test.ts',
    faults: [
      { type: 'proxy-down', proxies: ['redis-replica'] },
      { type: 'toxic', proxy: 'mariadb', toxic: 'latency', attributes: { latency: 2000 } },
    ],
    faultAfterMs: 0,
    detect: { probes: ['health-db'], withinMs: 30_000 },
    load: { seats: 2, operations: 2, durationMs: 500 },
    observeMs: 600_000,
    invariants: ['no-double-sale'],
  }),
);

/** Starts a drill run as a child and resolves once its faults are applied and seen by a probe. */
async function runUntilDetected(drill: string, reportDir?: string) {
  const args = ['drill', 'run', drill, '--scenarios', scenarios, '--yes', '--seed', '5', ...(reportDir ? ['--report-dir', reportDir] : [])];
  const child = execa(TICKETCTL, args, { env: { ...s.env, NO_COLOR: '1' }, reject: false, stdin: 'ignore', all: true });
  const seen = { output: '' };
  child.all.on('data', (d: Buffer) => (seen.output += d.toString()));
  try {
    // Every fault applied and confirmed, and its effect seen: the runner is in its observation window.
    await waitFor(() => /fault detected by a probe/.test(seen.output), { timeoutMs: 240_000, intervalMs: 200, what: `the drill to inject and detect its faults; output so far:\n${seen.output}` });
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return { child, seen };
}

after(() => restoreStack(ctx));

test('drill run refuses a context without allowDrills, and --dry-run touches nothing', async () => {
  const env = s.config({ contexts: { lab: { stack: { dir: ctx.paths.root, portOffset: ctx.topology.portOffset }, allowDrills: false } } });
  const refused = await s.run(['--context', 'lab', 'drill', 'run', 'cleanup-probe', '--scenarios', scenarios, '--yes'], env);
  assert.equal(refused.exitCode, 2, refused.stderr);
  assert.match(refused.stderr, /does not allow drills/);
  const before = readFaultLog(faultLogPath(ctx.paths.root)).length;
  const dry = await s.run(['drill', 'run', 'cleanup-probe', '--scenarios', scenarios, '--dry-run', '--output', 'json']);
  assert.equal(dry.exitCode, 0, dry.stderr);
  const plan = parseJson(dry).plan;
  assert.deepEqual(plan.data.blastRadius.processes, ['sentinel-3', 'service-3']);
  assert.deepEqual(plan.data.blastRadius.proxies, ['redis-replica', 'gateway']);
  assert.equal(readFaultLog(faultLogPath(ctx.paths.root)).length, before, 'a dry run logs and injects nothing');
});

test('after SIGKILL of the runner mid-drill, cleanup restores everything, and a second cleanup is a no-op', { timeout: 600_000 }, async () => {
  const knobsBefore = await gatewayKnobs();
  const logFile = faultLogPath(ctx.paths.root);
  const { child, seen } = await runUntilDetected('cleanup-probe');
  child.kill('SIGKILL');
  const output = seen.output;
  const ended = await child;
  assert.equal(ended.signal, 'SIGKILL');
  assert.doesNotMatch(output, /rollback:/, 'the runner never got to roll back');

  // Everything is still applied, and the fault log says so.
  const open = openFaults(readFaultLog(logFile));
  assert.deepEqual(
    open.map((f) => f.spec.type),
    ['proxy-down', 'toxic', 'gateway-knobs', 'pause', 'kill'],
  );
  assert.equal((await toxiproxy.proxy('redis-replica')).enabled, false);
  assert.equal((await toxiproxy.proxy('gateway')).toxics.length, 1);
  assert.equal((await gatewayKnobs()).latencyMs, 25);
  assert.ok(isProcessStopped(record('sentinel-3')!.pid), 'sentinel-3 still stopped');
  assert.equal(record('service-3'), undefined, 'service-3 still dead');

  const blocked = await s.run(['drill', 'run', 'cleanup-probe', '--scenarios', scenarios, '--yes']);
  assert.equal(blocked.exitCode, 3, 'a new run refuses while faults are left applied');
  assert.match(blocked.stderr, /drill cleanup/);

  const dry = await s.run(['drill', 'cleanup', '--dry-run', '--output', 'json']);
  assert.equal(dry.exitCode, 0, dry.stderr);
  assert.equal(parseJson(dry).plan.steps.length, 5);

  const cleaned = await s.run(['drill', 'cleanup', '--yes', '--output', 'json']);
  assert.equal(cleaned.exitCode, 0, `${cleaned.stdout}\n${cleaned.stderr}`);
  const outcome = parseJson(cleaned).outcome;
  assert.equal(outcome.healthy, true);
  assert.deepEqual(
    outcome.reverted.map((r: any) => r.ok),
    [true, true, true, true, true],
  );

  assert.equal((await toxiproxy.proxy('redis-replica')).enabled, true);
  assert.deepEqual((await toxiproxy.proxy('gateway')).toxics, []);
  assert.deepEqual(await gatewayKnobs(), knobsBefore);
  assert.equal(isProcessStopped(record('sentinel-3')!.pid), false, 'sentinel-3 continued');
  assert.ok(record('service-3'), 'service-3 running again');
  assert.equal((await httpGet(`http://${ctx.topology.host}:${ctx.topology.servicePort(3)}/health`, 5000)).status, 200);
  assert.equal((await stackStatus(ctx)).healthy, true);
  assert.deepEqual(openFaults(readFaultLog(logFile)), []);
  assert.equal(
    readFileSync(logFile, 'utf8')
      .trim()
      .split('\n')
      .filter((l) => l.includes('"by":"cleanup"')).length >= 5,
    true,
  );

  const again = await s.run(['drill', 'cleanup', '--yes']);
  assert.equal(again.exitCode, 0, again.stderr);
  assert.match(again.stderr, /Nothing to do/);
  assert.equal(s.audit().at(-1)?.result, 'noop');
});

test('Ctrl-C during the observation window: the runner rolls back, writes its journal, exits 130', { timeout: 300_000 }, async () => {
  const reportDir = mkdtempSync(path.join(os.tmpdir(), 'drill-reports-'));
  const { child, seen } = await runUntilDetected('interrupt-probe', reportDir);
  assert.equal((await toxiproxy.proxy('mariadb')).toxics.length, 1);
  child.kill('SIGINT');
  const ended = await child;
  assert.equal(ended.exitCode, 130, seen.output);
  assert.match(seen.output, /rollback: removed toxic drill-.* from mariadb/);
  assert.match(seen.output, /rollback: enabled redis-replica/);
  assert.deepEqual((await toxiproxy.proxy('mariadb')).toxics, []);
  assert.equal((await toxiproxy.proxy('redis-replica')).enabled, true);
  assert.deepEqual(openFaults(readFaultLog(faultLogPath(ctx.paths.root))), []);
  const [runDir] = readdirSync(reportDir);
  const journal = JSON.parse(readFileSync(path.join(reportDir, runDir!, 'interrupt-probe.json'), 'utf8'));
  assert.equal(journal.verdict, 'error');
  assert.equal(journal.interrupted, true);
  assert.ok(
    journal.faults.every((f: any) => f.reverted),
    JSON.stringify(journal.faults),
  );
  assert.match(readFileSync(path.join(reportDir, runDir!, 'junit.xml'), 'utf8'), /<error message="Interrupted">/);
});
