import type { Pool, RowDataPacket } from 'mysql2/promise';
import { request, type Agent } from 'undici';
import { seedConcerts } from '../../service/index.ts';
import { cpuBusySince, cpuSnapshot } from './cpu.ts';

// One burst of the hold benchmark: every client sends its POST /holds at the same moment
// over an already-open keep-alive connection, so the figure is the service's, not the
// kernel's accept queue; that opening burst, to a no-op route, is kept as the floor. Seats are fresh per burst and shared by `contenders` clients each.
// Afterwards the database is asked whether any seat got two live holds.

export interface HoldBurstOptions {
  url: string;
  agent: Agent;
  pool: Pool;
  clients: number;
  seats: number;
  label: string;
}

export interface HoldBurstResult {
  /** The same burst to a route that answers 404 without Redis or the database: the HTTP floor. */
  floorMs: number[];
  wallMs: number;
  throughput: number;
  /** Share of the machine's CPU time that was busy during the burst (everyone's processes). */
  cpuBusy: number;
  latenciesMs: number[];
  created: number;
  taken: number;
  other: Record<string, number>;
  /** Live (ACTIVE or PAID) holds in SQL, and seats that have more than one. */
  liveHolds: number;
  seatsWithTwoLiveHolds: number;
  lockModes: Record<string, number>;
}

/**
 * Opens (or reuses) `clients` connections to url by a burst of cheap 404s that touch
 * neither Redis nor the database; their latencies are the floor any route can reach.
 */
export async function noOpBurst(url: string, agent: Agent, clients: number): Promise<number[]> {
  return Promise.all(
    Array.from({ length: clients }, async () => {
      const start = performance.now();
      const res = await request(`${url}/bench-no-op`, { dispatcher: agent, method: 'GET' });
      await res.body.dump();
      return performance.now() - start;
    }),
  );
}

export async function holdBurst(o: HoldBurstOptions): Promise<HoldBurstResult> {
  const [concert] = await seedConcerts(o.pool, { concerts: 1, seatsPerConcert: o.seats, price: 50_000, namePrefix: `bench ${o.label}` });
  const seatIds = concert!.seatIds;
  const floorMs = await noOpBurst(o.url, o.agent, o.clients);

  const latenciesMs: number[] = [];
  const other: Record<string, number> = {};
  let created = 0;
  let taken = 0;
  const cpu = cpuSnapshot();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: o.clients }, async (_, i) => {
      const body = JSON.stringify({ seatId: seatIds[i % seatIds.length], userId: `bench-${o.label}-${i}` });
      const start = performance.now();
      try {
        const res = await request(`${o.url}/holds`, { dispatcher: o.agent, method: 'POST', headers: { 'content-type': 'application/json' }, body });
        const answer = (await res.body.json().catch(() => ({}))) as { error?: { code?: string } };
        latenciesMs.push(performance.now() - start);
        if (res.statusCode === 201) created++;
        else if (res.statusCode === 409 && answer.error?.code === 'SEAT_TAKEN') taken++;
        else count(other, `${res.statusCode} ${answer.error?.code ?? ''}`.trim());
      } catch (err) {
        latenciesMs.push(performance.now() - start);
        count(other, `client ${(err as { code?: string }).code ?? (err as Error).message}`);
      }
    }),
  );
  const wallMs = performance.now() - t0;
  const cpuBusy = cpuBusySince(cpu).busy;

  const [live] = await o.pool.query<RowDataPacket[]>("SELECT seat_id, COUNT(*) AS n, MIN(lock_mode) AS mode FROM holds WHERE seat_id IN (?) AND status IN ('ACTIVE', 'PAID') GROUP BY seat_id", [seatIds]);
  const lockModes: Record<string, number> = {};
  for (const r of live) count(lockModes, String(r.mode), Number(r.n));
  return {
    floorMs,
    wallMs,
    throughput: (o.clients / wallMs) * 1000,
    cpuBusy,
    latenciesMs,
    created,
    taken,
    other,
    liveHolds: live.reduce((sum, r) => sum + Number(r.n), 0),
    seatsWithTwoLiveHolds: live.filter((r) => Number(r.n) > 1).length,
    lockModes,
  };
}

function count(into: Record<string, number>, key: string, by = 1): void {
  into[key] = (into[key] ?? 0) + by;
}
