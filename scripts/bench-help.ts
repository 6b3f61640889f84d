// How fast `ticketctl --help` starts (the CLI's lazy loading of commands), as a benchmark:
// medians of N runs of the real shim, beside a baseline measured in the same run (the same
// Node.js starting an empty script), so a busy machine shows as a slower baseline rather
// than as a failed test. `npm run bench:help` (BENCH_RUNS, default 15).
import { execa } from 'execa';
import { TICKETCTL_BIN } from '../contracts/index.ts';
import { median } from './percentile.ts';

const runs = Number(process.env.BENCH_RUNS ?? 15);

async function time(file: string, args: string[]): Promise<number[]> {
  await execa(file, args); // fills the compile cache
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await execa(file, args);
    out.push(performance.now() - t0);
  }
  return out;
}

const baseline = await time(process.execPath, ['-e', '0']);
const help = await time(TICKETCTL_BIN, ['--help']);
const b = median(baseline);
const h = median(help);
console.log(`baseline (node -e 0): median ${b.toFixed(0)} ms over ${runs} runs`);
console.log(`ticketctl --help:     median ${h.toFixed(0)} ms over ${runs} runs (${(h / b).toFixed(1)}x the baseline)`);
