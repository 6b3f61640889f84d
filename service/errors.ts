import { OpsError } from '../lib/index.ts';

// The service's errors carry their HTTP status, so one mapper (http/errors.ts) turns any of
// them into a response. Anything else that escapes a route is a bug: logged, answered 500.

export interface ServiceErrorOptions {
  status: number;
  code: string;
  field?: string;
  hint?: string;
  retriable?: boolean;
  retryAfterSec?: number;
  cause?: unknown;
}

export class ServiceError extends OpsError {
  readonly status: number;
  readonly field: string | undefined;
  readonly retryAfterSec: number | undefined;
  constructor(message: string, o: ServiceErrorOptions) {
    super(message, { code: o.code, hint: o.hint, retriable: o.retriable ?? o.status >= 500, cause: o.cause });
    this.status = o.status;
    this.field = o.field;
    this.retryAfterSec = o.retryAfterSec;
  }
}

export const badRequest = (field: string, message: string, code = 'INVALID_FIELD') => new ServiceError(message, { status: 400, code, field });

export const notFound = (what: string, id: string | number, code: string, field?: string) => new ServiceError(`${what} ${id} does not exist.`, { status: 404, code, field });

export class SeatTakenError extends ServiceError {
  constructor(seatId: number, detail = 'is already held or sold') {
    super(`Seat ${seatId} ${detail}.`, { status: 409, code: 'SEAT_TAKEN', field: 'seatId' });
  }
}

export const conflict = (message: string, code: string, field?: string) => new ServiceError(message, { status: 409, code, field });

/** A dependency is down or saturated: answer fast with Retry-After instead of hanging. */
export class DependencyUnavailableError extends ServiceError {
  constructor(dependency: string, cause?: unknown, retryAfterSec = 2) {
    super(`${dependency} is unavailable; try again shortly.`, { status: 503, code: `${dependency.toUpperCase()}_UNAVAILABLE`, retriable: true, retryAfterSec, cause });
  }
}
