// Benchmark of the reservation/payment service (`npm run bench`), on the stack named by
// TICKETCTL_STACK_DIR / TICKETCTL_PORT_OFFSET (brought up first if it is not running).
//
//   holds:    1,000 clients POST /holds at once over 50 fresh seats (20 per seat) on an
//             instance of the benchmark's own with SEAT_LOCK=redis, and the same on one with
//             SEAT_LOCK=database: the baseline, `SELECT ... FOR UPDATE` only. Modes alternate
//             run by run; every burst is checked in SQL for a seat with two live holds.
//   payments: a steady arrival rate over the stack's three instances, each payment a hold,
//             POST /payments and polls until SUCCESS; latency from the 202 to the first poll
//             showing SUCCESS, next to a baseline of one payment at a time on the idle stack.
//             The saga group's consumer lag is sampled every 500 ms meanwhile.
//
// The load generator runs on the same machine as everything else: compare ratios to the
// baseline measured in the same run, not seconds across runs.
import os from 'node:os';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { Pool } from 'mysql2/promise';
import { Agent } from 'undici';
import { readConfig, localServiceDb, openServiceDb } from '../clients/index.ts';
import { createStackContext, stackUp } from '../stack/index.ts';
import { DEFAULT_SERVICE_INSTANCES, TOPIC_LAYOUT } from '../contracts/index.ts';
import { createGatewayClient, DEFAULT_KNOBS } from '../service/index.ts';
import { tolerateKafkajsStrayRejections, waitFor } from '../lib/index.ts';
import { median, summarize } from './percentile.ts';
import { startBenchInstance, type BenchInstance, type LockSetting } from './bench/instances.ts';
import { holdBurst, type HoldBurstResult } from './bench/hold-burst.ts';
import { onePayment, paymentLoad, seedSeats, totalLag, type PaymentLoadResult } from './bench/payment-load.ts';

function setting(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!(Number.isInteger(n) && n > 0)) {
    process.stderr.write(`bench: ${name}="${raw}" must be a whole number above 0 (default ${fallback}).\n`);
    process.exit(2);
  }
  return n;
}

const RUNS = setting('BENCH_RUNS', 5);
const HOLD_CLIENTS = setting('BENCH_HOLD_CLIENTS', 1000);
const HOLD_SEATS = setting('BENCH_HOLD_SEATS', 50);
const PAY_RATE = setting('BENCH_PAY_RATE', 20);
const PAY_SECONDS = setting('BENCH_PAY_SECONDS', 20);
const POLL_MS = setting('BENCH_POLL_MS', 50);
const FINISH_WITHIN_MS = 30_000;
const IDLE_PAYMENTS = 5;
const MAX_MINUTES = setting('BENCH_MAX_MINUTES', 30);

const TARGET = { holdP99Ms: 50, paymentP99Ms: 1000, lag: 50 };
const LOAD_AT_START = os.loadavg();

tolerateKafkajsStrayRejections();
const say = (line: string) => process.stderr.write(`${line}\n`);
const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(x < 10 ? 1 : 0)} ms`);
const pct = (x: number) => `${Math.round(x * 100)} %`;
const ratio = (x: number, base: number) => `${(x / base).toFixed(2)}x`;
const range = (xs: number[], fmt: (x: number) => string) => `runs ${fmt(Math.min(...xs))}-${fmt(Math.max(...xs))}`;

// Everything started here is stopped by the benchmark itself: at the end, on error, on
// Ctrl-C and when the whole run overstays BENCH_MAX_MINUTES.
const cleanups: Array<() => Promise<unknown>> = [];
async function cleanUp(): Promise<void> {
  for (const fn of cleanups.splice(0).reverse()) await fn().catch((err) => say(`clean-up: ${(err as Error).message}`));
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    say(`\n${signal}: stopping what the benchmark started`);
    void cleanUp().finally(() => process.exit(130));
  });
}
const watchdog = setTimeout(() => {
  say(`bench: still running after ${MAX_MINUTES} min; giving up (raise BENCH_MAX_MINUTES for longer runs)`);
  void cleanUp().finally(() => process.exit(1));
}, MAX_MINUTES * 60_000);

const ctx = createStackContext(readConfig(process.env));
const t = ctx.topology;

async function prepare(): Promise<{ pool: Pool; admin: Admin; agent: Agent }> {
  say(`stack ${ctx.paths.root} (port offset ${t.portOffset}): bringing it up if needed`);
  const up = await stackUp(ctx);
  if (up.started.length) say(`  started ${up.started.join(', ')}; \`ticketctl stack down\` stops it`);
  const pool = openServiceDb(localServiceDb(ctx.topology));
  cleanups.push(() => pool.end());
  const admin = new Kafka({ clientId: 'bench-lag', brokers: t.kafka.bootstrap, connectionTimeout: 3000, requestTimeout: 10_000, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  cleanups.push(() => admin.disconnect());
  // One connection per client, kept alive between bursts; generous deadlines, since a
  // request that never ends would hold the benchmark, not measure anything.
  const agent = new Agent({ connections: Math.max(HOLD_CLIENTS, 1000), pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: 30_000, bodyTimeout: 30_000 });
  cleanups.push(() => agent.close());
  const knobs = await createGatewayClient({ baseUrl: `http://${t.host}:${t.gateway.port}`, timeoutMs: 5000 }).getKnobs();
  if (Object.entries(DEFAULT_KNOBS).some(([k, v]) => knobs[k as keyof typeof knobs] !== v)) {
    say(`  warning: the gateway's fault knobs are not the defaults: ${JSON.stringify(knobs)}`);
  }
  return { pool, admin, agent };
}

async function benchHolds(pool: Pool, agent: Agent): Promise<Record<LockSetting, HoldBurstResult[]>> {
  say(`holds: starting bench-redis and bench-db (ports ${t.servicePort(7)}, ${t.servicePort(8)})`);
  const instances: BenchInstance[] = [];
  const stop = () => Promise.all(instances.map((i) => i.stop()));
  cleanups.push(stop); // registered first, so one that started is stopped even if the other fails
  const starting = [startBenchInstance(ctx, { name: 'bench-redis', slot: 7, seatLock: 'redis' }), startBenchInstance(ctx, { name: 'bench-db', slot: 8, seatLock: 'database' })].map((p) =>
    p.then((i) => (instances.push(i), i)),
  );
  const settled = await Promise.allSettled(starting); // both settle before a failure is thrown
  const failure = settled.find((r) => r.status === 'rejected');
  if (failure) throw failure.reason;
  const [redis, database] = settled.map((r) => (r as PromiseFulfilledResult<BenchInstance>).value);
  const byMode: Record<LockSetting, BenchInstance> = { redis: redis!, database: database! };
  const results: Record<LockSetting, HoldBurstResult[]> = { redis: [], database: [] };
  const burst = (mode: LockSetting, label: string) => holdBurst({ url: byMode[mode].url, agent, pool, clients: HOLD_CLIENTS, seats: HOLD_SEATS, label });
  // One unreported burst each: JIT, pools and Redis connections warm before anything counts.
  for (const mode of ['redis', 'database'] as const) await burst(mode, `warm-${mode}`);
  for (let run = 0; run < RUNS; run++) {
    const order: LockSetting[] = run % 2 === 0 ? ['redis', 'database'] : ['database', 'redis'];
    for (const mode of order) {
      const r = await burst(mode, `${mode}-${run}`);
      results[mode].push(r);
      const s = summarize(r.latenciesMs);
      const f = summarize(r.floorMs);
      say(
        `  run ${run + 1} ${mode.padEnd(8)} no-op floor p50 ${ms(f.p50)} p99 ${ms(f.p99)}  holds ${r.throughput.toFixed(0)} req/s  p50 ${ms(s.p50)}  p99 ${ms(s.p99)}  201=${r.created} 409=${r.taken} other=${JSON.stringify(r.other)}  live holds ${r.liveHolds} ${JSON.stringify(r.lockModes)}  seats with 2+: ${r.seatsWithTwoLiveHolds}  CPU busy ${pct(r.cpuBusy)}`,
      );
    }
  }
  cleanups.splice(cleanups.indexOf(stop), 1);
  await stop(); // the payment benchmark runs on the stack's instances alone
  return results;
}

async function benchPayments(pool: Pool, admin: Admin, agent: Agent): Promise<Array<{ idleMs: number[]; load: PaymentLoadResult }>> {
  const urls = Array.from({ length: DEFAULT_SERVICE_INSTANCES }, (_, i) => `http://${t.host}:${t.servicePort(i + 1)}`);
  say(`payments: ${PAY_RATE}/s for ${PAY_SECONDS} s over ${urls.length} instances, polling every ${POLL_MS} ms`);
  const out: Array<{ idleMs: number[]; load: PaymentLoadResult }> = [];
  for (let run = 0; run < RUNS; run++) {
    // Start from a drained saga: no lag left over from the run before.
    await waitFor(async () => (await totalLag(admin)) === 0, { timeoutMs: 60_000, intervalMs: 500, what: 'the saga consumer group to catch up (lag 0)' });
    const idleMs: number[] = [];
    const seats = await seedSeats(pool, IDLE_PAYMENTS, `idle-${run}`);
    for (let k = 0; k < IDLE_PAYMENTS; k++) {
      const o = await onePayment(urls, agent, seats[k]!, k, { pollMs: POLL_MS, finishWithinMs: FINISH_WITHIN_MS, label: `idle-${run}` });
      if (o.kind === 'success') idleMs.push(o.latencyMs);
      else say(`  idle payment ${k + 1}: ${o.kind === 'failed' ? o.why : 'unfinished in 30 s'}`);
    }
    const load = await paymentLoad({ urls, agent, pool, admin, ratePerSec: PAY_RATE, durationSec: PAY_SECONDS, pollMs: POLL_MS, finishWithinMs: FINISH_WITHIN_MS, label: `load-${run}` });
    out.push({ idleMs, load });
    const s = summarize(load.latenciesMs);
    const d = summarize(load.inDatabaseMs);
    const rl = summarize(load.relayMs);
    say(
      `  run ${run + 1} idle p50 ${ms(median(idleMs))}  load p50 ${ms(s.p50)} p99 ${ms(s.p99)} max ${ms(s.max)} (in the database p50 ${ms(d.p50)} p99 ${ms(d.p99)}; relay p50 ${ms(rl.p50)} p99 ${ms(rl.p99)}; saga ${ms(load.saga.meanMs)}/event over ${load.saga.events})  ${load.succeeded}/${load.offered} SUCCESS, unfinished ${load.unfinished}, failed ${JSON.stringify(load.failed)}  arrivals in ${load.arrivalSec.toFixed(1)} s  lag max ${Math.max(...load.lagSamples)} (${load.lagSamples.length} samples, ${load.lagErrors} errors)  CPU busy ${pct(load.cpuBusy)}`,
    );
  }
  return out;
}

function report(holds: Record<LockSetting, HoldBurstResult[]>, payments: Array<{ idleMs: number[]; load: PaymentLoadResult }>): boolean {
  const mark = (ok: boolean) => (ok ? 'met' : 'MISSED');
  const holdStats = (rs: HoldBurstResult[]) => {
    const sums = rs.map((r) => summarize(r.latenciesMs));
    const floors = rs.map((r) => summarize(r.floorMs));
    return {
      rps: rs.map((r) => r.throughput),
      answeredRps: rs.map((r) => ((r.created + r.taken) / r.wallMs) * 1000),
      floorP50: floors.map((f) => f.p50),
      floorP99: floors.map((f) => f.p99),
      p50: sums.map((s) => s.p50),
      p99: sums.map((s) => s.p99),
      created: median(rs.map((r) => r.created)),
      taken: median(rs.map((r) => r.taken)),
      other: median(rs.map((r) => Object.values(r.other).reduce((a, b) => a + b, 0))),
      unheldSeats: median(rs.map((r) => HOLD_SEATS - r.liveHolds)),
      lockModes: rs.reduce<Record<string, number>>((acc, r) => {
        for (const [k, v] of Object.entries(r.lockModes)) acc[k] = (acc[k] ?? 0) + v;
        return acc;
      }, {}),
      cpuBusy: median(rs.map((r) => r.cpuBusy)),
    };
  };
  const db = holdStats(holds.database);
  const rd = holdStats(holds.redis);
  const doubled = [...holds.database, ...holds.redis].reduce((n, r) => n + r.seatsWithTwoLiveHolds, 0);
  const cpus = os.cpus().length;
  const load = (l: number[]) => l.map((x) => x.toFixed(1)).join(' ');
  console.log(`machine: ${cpus} CPUs shared by the load generator, ${DEFAULT_SERVICE_INSTANCES + 2} service processes, 3 Kafka brokers, MariaDB, Redis, Toxiproxy; ${RUNS} runs, medians over runs`);
  console.log(`load average (1, 5, 15 min) at start ${load(LOAD_AT_START)}, at end ${load(os.loadavg())}`);
  console.log(`\nholds: ${HOLD_CLIENTS} concurrent clients, POST /holds over ${HOLD_SEATS} fresh seats (${HOLD_CLIENTS / HOLD_SEATS} per seat), one instance per lock mode`);
  const holdLine = (name: string, s: typeof db, base?: typeof db) => {
    const vs = (xs: number[], bs: number[] | undefined) => (bs ? ` (${ratio(median(xs), median(bs))})` : '');
    console.log(
      `  ${name}  ${median(s.rps).toFixed(0)} req/s${vs(s.rps, base?.rps)} (201+409: ${median(s.answeredRps).toFixed(0)}/s${vs(s.answeredRps, base?.answeredRps)})  p50 ${ms(median(s.p50))}${vs(s.p50, base?.p50)}  p99 ${ms(median(s.p99))}${vs(s.p99, base?.p99)} [${range(s.p99, ms)}]  201/409/other ${s.created}/${s.taken}/${s.other}`,
    );
    console.log(
      `      seats left with no hold (every request for them answered 409 or 503): ${s.unheldSeats}; lock modes of the holds over all runs: ${JSON.stringify(s.lockModes)}; machine CPU busy during a burst: ${pct(s.cpuBusy)}`,
    );
  };
  console.log(`  floor: the same burst to a no-op 404 route, both instances: p50 ${ms(median([...db.floorP50, ...rd.floorP50]))}  p99 ${ms(median([...db.floorP99, ...rd.floorP99]))}`);
  holdLine('baseline SEAT_LOCK=database (SELECT ... FOR UPDATE):', db);
  holdLine('SEAT_LOCK=redis (Redlock, database fence):           ', rd, db);
  console.log(`  one live hold per seat at most, in SQL, over all ${RUNS * 2} bursts: ${doubled === 0 ? 'yes' : `NO: ${doubled} seats with two`}`);

  const idleP50 = payments.map((p) => median(p.idleMs));
  const loads = payments.map((p) => summarize(p.load.latenciesMs));
  const p50 = loads.map((s) => s.p50);
  const p99 = loads.map((s) => s.p99);
  const unfinished = payments.map((p) => p.load.unfinished);
  const failed = payments.map((p) => Object.values(p.load.failed).reduce((a, b) => a + b, 0));
  const lagMax = payments.map((p) => Math.max(...p.load.lagSamples));
  const inDb = payments.map((p) => summarize(p.load.inDatabaseMs));
  const relay = payments.map((p) => summarize(p.load.relayMs));
  const sagaMs = median(payments.map((p) => p.load.saga.meanMs));
  console.log(`\npayments: ${PAY_RATE}/s for ${PAY_SECONDS} s (${payments[0]?.load.offered ?? 0} per run) over ${DEFAULT_SERVICE_INSTANCES} instances; 202 -> first poll (every ${POLL_MS} ms) showing SUCCESS`);
  console.log(`  baseline one payment at a time, idle stack: p50 ${ms(median(idleP50))} [${range(idleP50, ms)}]`);
  console.log(`  at ${PAY_RATE}/s: p50 ${ms(median(p50))} (${ratio(median(p50), median(idleP50))})  p99 ${ms(median(p99))} (${ratio(median(p99), median(idleP50))}) [${range(p99, ms)}]`);
  console.log(`  the same payments in the database, intake commit -> SUCCESS commit (no polling): p50 ${ms(median(inDb.map((d) => d.p50)))}  p99 ${ms(median(inDb.map((d) => d.p99)))}`);
  console.log(`    of which intake -> payment.try published by the outbox relay: p50 ${ms(median(relay.map((d) => d.p50)))}  p99 ${ms(median(relay.map((d) => d.p99)))}`);
  console.log(
    `    saga time per payment.try event (instances' event_processing_duration): mean ${ms(sagaMs)}, so ${TOPIC_LAYOUT.partitions} partitions, one event at a time each, take at most ~${((TOPIC_LAYOUT.partitions * 1000) / sagaMs).toFixed(0)} payments/s`,
  );
  console.log(
    `  not SUCCESS within 30 s: median ${median(unfinished)} per run (total ${unfinished.reduce((a, b) => a + b, 0)}); failed before SUCCESS: median ${median(failed)} (total ${failed.reduce((a, b) => a + b, 0)})`,
  );
  console.log(`  machine CPU busy during the load: median ${pct(median(payments.map((p) => p.load.cpuBusy)))}`);
  console.log(`  consumer lag (ticketing-consumer-group, saga topics, every 500 ms): max per run median ${median(lagMax)} [runs ${Math.min(...lagMax)}-${Math.max(...lagMax)}]`);

  console.log('\ntargets:');
  console.log(`  hold p99 < ${TARGET.holdP99Ms} ms at ${HOLD_CLIENTS} clients (SEAT_LOCK=redis): ${ms(median(rd.p99))}  ${mark(median(rd.p99) < TARGET.holdP99Ms)}`);
  console.log(`  payment p99 < ${ms(TARGET.paymentP99Ms)} end to end: ${ms(median(p99))}  ${mark(median(p99) < TARGET.paymentP99Ms && median(unfinished) === 0)}`);
  console.log(`  consumer lag < ${TARGET.lag}: max ${median(lagMax)}  ${mark(median(lagMax) < TARGET.lag)}`);
  return doubled === 0;
}

let exitCode = 0;
try {
  const { pool, admin, agent } = await prepare();
  const holds = await benchHolds(pool, agent);
  const payments = await benchPayments(pool, admin, agent);
  if (!report(holds, payments)) exitCode = 1;
} catch (err) {
  say(`bench: ${(err as Error).stack ?? String(err)}`);
  exitCode = 1;
} finally {
  clearTimeout(watchdog);
  await cleanUp();
}
process.exit(exitCode);
