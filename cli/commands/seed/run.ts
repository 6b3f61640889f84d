import { stackContextOf, serviceDbAs, openServiceDb } from '../../../clients/index.ts';
import { resolveOutput } from '../../shared/ui.ts';
import { seedConcerts } from '../../../service/index.ts';
import { UsageError } from '../../../lib/index.ts';
import type { Globals } from '../../shared/globals.ts';

function count(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} "${raw}" must be a whole number from ${min} to ${max}.`, `For example: ticketctl seed --concerts 2 --seats 100.`);
  return n;
}

// Adds concerts and seats; never changes or deletes existing ones, so it asks nothing.
export async function run(g: Globals, opts: { concerts: string; seats: string; price: string; dryRun?: boolean; output?: string }): Promise<void> {
  const { ui } = g;
  const concerts = count('concerts', opts.concerts, 1, 100);
  const seatsPerConcert = count('seats', opts.seats, 1, 100_000);
  const price = count('price', opts.price, 1, 100_000_000);
  if (opts.dryRun) {
    ui.out(`Would add ${concerts} concert(s) of ${seatsPerConcert} seats at ${price} each. Nothing was changed.`);
    return;
  }
  const c = await g.context();
  stackContextOf(c, '`seed`');
  const pool = openServiceDb(serviceDbAs(c, 'operator'));
  try {
    const seeded = await ui.progress.step(`seed ${concerts} x ${seatsPerConcert} seats`, () => seedConcerts(pool, { concerts, seatsPerConcert, price }));
    const rows = seeded.map((c) => ({ concertId: c.concertId, seats: c.seatIds.length, firstSeatId: c.seatIds[0], lastSeatId: c.seatIds.at(-1) }));
    if (resolveOutput(opts.output, ui.isTty) === 'json') ui.json({ concerts: rows });
    else
      ui.table(
        ['CONCERT', 'SEATS', 'SEAT IDS'],
        rows.map((r) => [String(r.concertId), String(r.seats), `${r.firstSeatId}..${r.lastSeatId}`]),
      );
  } finally {
    await pool.end();
  }
}
