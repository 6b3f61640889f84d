import type { FastifyInstance } from 'fastify';
import type { RowDataPacket } from 'mysql2/promise';
import { withConnection, type Db } from '../../db/connection.ts';
import type { Reservations } from '../../reservations/holds.ts';
import type { Metrics } from '../../metrics.ts';
import { bodyErrors, createdHoldResponse, errorResponse, holdBody, holdParams, holdResponse, seatsQuery, seatsResponse, unavailableResponse } from '../schemas.ts';

const holdSchema = {
  tags: ['holds'],
  operationId: 'holdSeat',
  summary: 'Hold a seat',
  description:
    'Takes the seat for userId until expiresAt (HOLD_TTL_MS, 5 min by default) under a Redis lock per seat, or the database row lock when Redis is unreachable; the database is the fence, so a seat is never held twice. Contenders get 409 at once instead of queueing. The answer carries holdSecret, needed to pay and to cancel; it is shown only here.',
  body: holdBody,
  response: {
    201: { ...createdHoldResponse, description: 'Held; Location names the hold. Keep holdSecret: it is never shown again.', headers: { location: { type: 'string', description: '/holds/{holdId}' } } },
    400: errorResponse('INVALID_FIELD or INVALID_JSON: the body is not {seatId: integer, userId: string}.'),
    404: errorResponse('SEAT_NOT_FOUND.'),
    409: errorResponse('SEAT_TAKEN: the seat is held or sold, or another request holds its lock.'),
    ...bodyErrors,
    503: unavailableResponse,
  },
} as const;

const getHoldSchema = {
  tags: ['holds'],
  operationId: 'getHold',
  summary: 'Read a hold',
  params: holdParams,
  response: {
    200: { ...holdResponse, description: 'The hold (never its secret).' },
    400: errorResponse('INVALID_FIELD: holdId is not a UUID.'),
    404: errorResponse('HOLD_NOT_FOUND.'),
    503: unavailableResponse,
  },
} as const;

const seatsSchema = {
  tags: ['seats'],
  operationId: 'listSeats',
  summary: "List a concert's seats",
  description: 'Seats of concertId in id order, optionally only those with the given status.',
  querystring: seatsQuery,
  response: {
    200: { ...seatsResponse, description: 'The seats (an empty list for an unknown concert).' },
    400: errorResponse('INVALID_FIELD: concertId missing or not a positive integer, status not AVAILABLE, HELD or SOLD, or an unknown parameter.'),
    503: unavailableResponse,
  },
} as const;

export function reservationRoutes(app: FastifyInstance, deps: { reservations: Reservations; db: Db; metrics: Metrics }): void {
  app.post<{ Body: { seatId: number; userId: string } }>('/holds', { schema: holdSchema }, async (req, reply) => {
    try {
      const hold = await deps.reservations.holdSeat(req.body);
      deps.metrics.reservations.inc({ outcome: 'held' });
      return reply.code(201).header('location', `/holds/${hold.holdId}`).send(hold);
    } catch (err) {
      deps.metrics.reservations.inc({ outcome: (err as { code?: string }).code === 'SEAT_TAKEN' ? 'taken' : 'error' });
      throw err;
    }
  });

  app.get<{ Params: { holdId: string } }>('/holds/:holdId', { schema: getHoldSchema }, async (req) => deps.reservations.getHold(req.params.holdId));

  app.get<{ Querystring: { concertId: string; status?: string } }>('/seats', { schema: seatsSchema }, async (req) => {
    const { concertId, status } = req.query;
    const rows = await withConnection(
      deps.db,
      async (conn) =>
        (await conn.query<RowDataPacket[]>(`SELECT id, label, price, status FROM seats WHERE concert_id = ?${status ? ' AND status = ?' : ''} ORDER BY id`, status ? [concertId, status] : [concertId]))[0],
    );
    return { concertId: Number(concertId), seats: rows.map((r) => ({ seatId: Number(r.id), label: r.label, price: Number(r.price), status: r.status })) };
  });
}
