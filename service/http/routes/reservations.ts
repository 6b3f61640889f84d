import type { FastifyInstance } from 'fastify';
import type { RowDataPacket } from 'mysql2/promise';
import { withConnection, type Db } from '../../db/connection.ts';
import type { Reservations } from '../../reservations/holds.ts';
import type { Metrics } from '../../metrics.ts';
import { holdBody, holdParams, seatsQuery } from '../schemas.ts';

export function reservationRoutes(app: FastifyInstance, deps: { reservations: Reservations; db: Db; metrics: Metrics }): void {
  app.post<{ Body: { seatId: number; userId: string } }>('/holds', { schema: { body: holdBody } }, async (req, reply) => {
    try {
      const hold = await deps.reservations.holdSeat(req.body);
      deps.metrics.reservations.inc({ outcome: 'held' });
      return reply.code(201).header('location', `/holds/${hold.holdId}`).send(hold);
    } catch (err) {
      deps.metrics.reservations.inc({ outcome: (err as { code?: string }).code === 'SEAT_TAKEN' ? 'taken' : 'error' });
      throw err;
    }
  });

  app.get<{ Params: { holdId: string } }>('/holds/:holdId', { schema: { params: holdParams } }, async (req) => deps.reservations.getHold(req.params.holdId));

  app.get<{ Querystring: { concertId: string; status?: string } }>('/seats', { schema: { querystring: seatsQuery } }, async (req) => {
    const { concertId, status } = req.query;
    const rows = await withConnection(deps.db, async (conn) =>
      (await conn.query<RowDataPacket[]>(`SELECT id, label, price, status FROM seats WHERE concert_id = ?${status ? ' AND status = ?' : ''} ORDER BY id`, status ? [concertId, status] : [concertId]))[0],
    );
    return { concertId: Number(concertId), seats: rows.map((r) => ({ seatId: Number(r.id), label: r.label, price: Number(r.price), status: r.status })) };
  });
}
