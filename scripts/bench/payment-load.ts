import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin } from 'kafkajs';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { request, type Agent } from 'undici';
import { seedConcerts, consumerLag } from '../../service/index.ts';
import { cpuBusySince, cpuSnapshot } from './cpu.ts';

// The payment benchmark: payments arrive at a steady rate (open loop: a slow answer does
// not delay the next arrival), each one a hold on one instance, POST /payments on the next
// and GET /payments/:id polls on the third, as a load balancer would spread a user's calls.
// Latency is from the 202 answer to the first poll that shows SUCCESS. Consumer lag of the
// saga group is sampled beside it.

const PRICE = 50_000;

export interface PaymentLoadOptions {
  urls: string[];
  agent: Agent;
  pool: Pool;
  admin: Admin;
  ratePerSec: number;
  durationSec: number;
  pollMs: number;
  finishWithinMs: number;
  label: string;
}

export type PaymentOutcome = { kind: 'success'; latencyMs: number } | { kind: 'unfinished' } | { kind: 'failed'; why: string };

export interface PaymentLoadResult {
  latenciesMs: number[];
  offered: number;
  succeeded: number;
  unfinished: number;
  failed: Record<string, number>;
  /** Seconds the arrivals took (the rate achieved is offered / arrivalSec). */
  arrivalSec: number;
  lagSamples: number[];
  lagErrors: number;
  /** Intake commit to SUCCESS commit, from the payment rows (no polling in it). */
  inDatabaseMs: number[];
  /** Share of the machine's CPU time that was busy from the first arrival to the last answer. */
  cpuBusy: number;
  /** Intake commit to the payment.try event published by the outbox relay. */
  relayMs: number[];
  /** Mean time the saga spent on one payment.try event (from the instances' metrics), and how many. */
  saga: { meanMs: number; events: number };
}

/** The fields the benchmark reads from the service's answers (a hold, a payment, an error). */
interface Answer {
  holdId?: string;
  holdSecret?: string;
  status?: string;
  error?: { code?: string };
}

async function call(url: string, agent: Agent, method: 'GET' | 'POST', body?: unknown): Promise<{ status: number; body: Answer }> {
  const res = await request(url, {
    dispatcher: agent,
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.statusCode, body: (await res.body.json().catch(() => ({}))) as Answer };
}

/** One user's payment: hold, pay, then poll every pollMs until SUCCESS, a final failure or the deadline. */
export async function onePayment(urls: string[], agent: Agent, seatId: number, k: number, o: { pollMs: number; finishWithinMs: number; label: string }): Promise<PaymentOutcome> {
  const at = (n: number) => urls[(k + n) % urls.length]!;
  const userId = `bench-pay-${o.label}-${k}`;
  try {
    const hold = await call(`${at(0)}/holds`, agent, 'POST', { seatId, userId });
    if (hold.status !== 201) return { kind: 'failed', why: `hold ${hold.status} ${hold.body?.error?.code ?? ''}`.trim() };
    const paymentTxId = randomUUID();
    const pay = await call(`${at(1)}/payments`, agent, 'POST', { paymentTxId, holdId: hold.body.holdId, holdSecret: hold.body.holdSecret, userId, amount: PRICE });
    const accepted = performance.now();
    if (pay.status !== 202) return { kind: 'failed', why: `pay ${pay.status} ${pay.body?.error?.code ?? pay.body?.status ?? ''}`.trim() };
    for (let next = accepted; performance.now() - accepted < o.finishWithinMs;) {
      await sleep(Math.max(0, next - performance.now()));
      next += o.pollMs; // start to start, so a slow answer does not stretch the interval
      const poll = await call(`${at(2)}/payments/${paymentTxId}`, agent, 'GET');
      if (poll.body?.status === 'SUCCESS') return { kind: 'success', latencyMs: performance.now() - accepted };
      if (poll.status !== 200) return { kind: 'failed', why: `poll ${poll.status} ${poll.body?.error?.code ?? ''}`.trim() };
      if (poll.body?.status !== 'PENDING') return { kind: 'failed', why: `ended ${poll.body?.status}` };
    }
    return { kind: 'unfinished' };
  } catch (err) {
    return { kind: 'failed', why: `client ${(err as { code?: string }).code ?? (err as Error).message}` };
  }
}

export async function seedSeats(pool: Pool, n: number, label: string): Promise<number[]> {
  const [concert] = await seedConcerts(pool, { concerts: 1, seatsPerConcert: n, price: PRICE, namePrefix: `bench ${label}` });
  return concert!.seatIds;
}

/** Sum and count of event_processing_duration for payment.try over every instance (Prometheus text). */
async function sagaHandling(urls: string[], agent: Agent): Promise<{ sumSec: number; count: number }> {
  const out = { sumSec: 0, count: 0 };
  for (const url of urls) {
    const res = await request(`${url}/metrics`, { dispatcher: agent, method: 'GET' });
    for (const line of (await res.body.text()).split('\n')) {
      const m = /^event_processing_duration_(sum|count)\{[^}]*topic="payment\.try"[^}]*\} (\S+)$/.exec(line);
      if (m) {
        if (m[1] === 'sum') out.sumSec += Number(m[2]);
        else out.count += Number(m[2]);
      }
    }
  }
  return out;
}

export async function totalLag(admin: Admin): Promise<number> {
  return Object.values(await consumerLag(admin)).reduce((a, b) => a + b, 0);
}

export async function paymentLoad(o: PaymentLoadOptions): Promise<PaymentLoadResult> {
  const offered = Math.round(o.ratePerSec * o.durationSec);
  const seatIds = await seedSeats(o.pool, offered, o.label);
  const lagSamples: number[] = [];
  let lagErrors = 0;
  let sampling = true;
  const sampler = (async () => {
    for (let next = performance.now(); sampling;) {
      try {
        lagSamples.push(await totalLag(o.admin));
      } catch {
        lagErrors++;
      }
      next = Math.max(next + 500, performance.now()); // a slow sample delays the next, never bunches them
      await sleep(Math.max(0, next - performance.now()));
    }
  })();

  const outcomes: Array<Promise<PaymentOutcome>> = [];
  const sagaBefore = await sagaHandling(o.urls, o.agent);
  const cpu = cpuSnapshot();
  const t0 = performance.now();
  for (let k = 0; k < offered; k++) {
    await sleep(Math.max(0, t0 + (k * 1000) / o.ratePerSec - performance.now()));
    outcomes.push(onePayment(o.urls, o.agent, seatIds[k]!, k, o));
  }
  const arrivalSec = (performance.now() - t0) / 1000;
  const done = await Promise.all(outcomes);
  const cpuBusy = cpuBusySince(cpu).busy;
  const sagaAfter = await sagaHandling(o.urls, o.agent);
  const events = sagaAfter.count - sagaBefore.count;
  const saga = { meanMs: events > 0 ? ((sagaAfter.sumSec - sagaBefore.sumSec) / events) * 1000 : Number.NaN, events };
  sampling = false;
  await sampler;

  const [rows] = await o.pool.query<RowDataPacket[]>("SELECT TIMESTAMPDIFF(MICROSECOND, created_at, updated_at) / 1000 AS ms FROM payment_transactions WHERE seat_id IN (?) AND status = 'SUCCESS'", [seatIds]);
  const inDatabaseMs = rows.map((r) => Number(r.ms));
  const [relayed] = await o.pool.query<RowDataPacket[]>(
    `SELECT TIMESTAMPDIFF(MICROSECOND, p.created_at, o.published_at) / 1000 AS ms
       FROM payment_transactions p JOIN outbox o ON o.message_key = p.payment_tx_id AND o.topic = 'payment.try'
      WHERE p.seat_id IN (?) AND o.published_at IS NOT NULL`,
    [seatIds],
  );
  const relayMs = relayed.map((r) => Number(r.ms));
  const result: PaymentLoadResult = { latenciesMs: [], offered, succeeded: 0, unfinished: 0, failed: {}, arrivalSec, lagSamples, lagErrors, inDatabaseMs, cpuBusy, relayMs, saga };
  for (const d of done) {
    if (d.kind === 'success') {
      result.succeeded++;
      result.latenciesMs.push(d.latencyMs);
    } else if (d.kind === 'unfinished') result.unfinished++;
    else result.failed[d.why] = (result.failed[d.why] ?? 0) + 1;
  }
  return result;
}
