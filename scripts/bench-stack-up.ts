// Benchmark: how long `stack up` takes from cold and warm, and the stack's memory, next to
// a baseline measured in the same run: one start of a Kafka Java tool (`StorageTool
// random-uuid`: a JVM loading Kafka's classes, the unit every broker start is made of).
// This machine is shared and noisy: compare ratios, not seconds.
//
//   cold: a fresh stack folder (format storage, install MariaDB's system tables, fetch
//         Kafka's jars from the local Maven cache, build Toxiproxy from the Go cache)
//   warm: the same folder again after `stack down` (data present, nothing to provision)
//
// Runs on a scratch stack shifted by a port offset, so it never touches the main stack.
import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createStackContext, stackDown, stackStatus, stackUp, findExecutable } from '../stack/index.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const OFFSET = Number(process.env.BENCH_PORT_OFFSET ?? 2000);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

const java = findExecutable('java')!;
const libs = path.join(createStackContext().paths.kafkaLibs, '*');
const baseline: number[] = [];
for (let i = 0; i < 5; i++) baseline.push(await timed(() => execa(java, ['-Xmx256m', '-cp', libs, 'kafka.tools.StorageTool', 'random-uuid'])));

const cold: number[] = [];
const warm: number[] = [];
let rss = 0;
let dir = '';
for (let i = 0; i < RUNS; i++) {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = mkdtempSync(path.join(os.tmpdir(), 'bench-stack-'));
  const ctx = createStackContext({ stackDir: dir, portOffset: OFFSET });
  cold.push(await timed(() => stackUp(ctx)));
  await stackDown(ctx);
  process.stderr.write(`cold run ${i + 1}: ${secs(cold.at(-1)!)}\n`);
}
const ctx = createStackContext({ stackDir: dir, portOffset: OFFSET });
for (let i = 0; i < RUNS; i++) {
  warm.push(await timed(() => stackUp(ctx)));
  if (i === RUNS - 1) rss = (await stackStatus(ctx)).memory.rssBytes;
  await stackDown(ctx);
  process.stderr.write(`warm run ${i + 1}: ${secs(warm.at(-1)!)}\n`);
}
rmSync(dir, { recursive: true, force: true });

const b = median(baseline);
console.log(`baseline  one Kafka tool JVM start (StorageTool random-uuid), median of 5: ${secs(b)}`);
console.log(`cold      stack up, fresh folder, median of ${RUNS}: ${secs(median(cold))}  (${(median(cold) / b).toFixed(1)}x baseline)`);
console.log(`warm      stack up, existing data, median of ${RUNS}: ${secs(median(warm))}  (${(median(warm) / b).toFixed(1)}x baseline)`);
console.log(`memory    resident set of all 10 processes right after a warm up: ${(rss / 2 ** 30).toFixed(2)} GiB`);
