import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { MOVES, SEAT } from './state-machine.ts';

// Concerts and seats for demos, tests and drills: N concerts of M seats, labelled by row
// and number (A-1 ... A-20, B-1 ...), all AVAILABLE at one price. New rows only: an
// existing seat changes state only through the moves of state-machine.ts.

export interface SeedOptions {
  concerts: number;
  seatsPerConcert: number;
  price: number;
  namePrefix?: string;
}

export interface SeededConcert {
  concertId: number;
  seatIds: number[];
}

const SEATS_PER_ROW = 20;

export function seatLabel(i: number): string {
  const row = Math.floor(i / SEATS_PER_ROW);
  const letters = row < 26 ? String.fromCharCode(65 + row) : `${String.fromCharCode(65 + Math.floor(row / 26) - 1)}${String.fromCharCode(65 + (row % 26))}`;
  return `${letters}-${(i % SEATS_PER_ROW) + 1}`;
}

export async function seedConcerts(pool: Pool, o: SeedOptions): Promise<SeededConcert[]> {
  const out: SeededConcert[] = [];
  for (let c = 0; c < o.concerts; c++) {
    const conn = await pool.getConnection();
    try {
      await conn.beginTransaction();
      const [res] = await conn.query<ResultSetHeader>('INSERT INTO concerts (name, starts_at) VALUES (?, NOW(3) + INTERVAL 30 DAY)', [`${o.namePrefix ?? 'Concert'} ${Date.now().toString(36)}-${c + 1}`]);
      const concertId = res.insertId;
      for (let start = 0; start < o.seatsPerConcert; start += 1000) {
        const rows = Array.from({ length: Math.min(1000, o.seatsPerConcert - start) }, (_, k) => [concertId, seatLabel(start + k), o.price, SEAT[MOVES.addSeats.seat].to]);
        await conn.query('INSERT INTO seats (concert_id, label, price, status) VALUES ?', [rows]);
      }
      const [ids] = await conn.query<RowDataPacket[]>('SELECT id FROM seats WHERE concert_id = ? ORDER BY id', [concertId]);
      const seatIds = ids.map((r) => Number(r.id));
      await conn.commit();
      out.push({ concertId, seatIds });
    } catch (err) {
      await conn.rollback().catch(() => {});
      throw err;
    } finally {
      conn.release();
    }
  }
  return out;
}
