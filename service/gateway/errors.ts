import type { FastifyError, FastifyInstance } from 'fastify';
import { OpsError } from '../../lib/index.ts';

// The one place where anything thrown inside the gateway becomes an HTTP answer. Every
// answer is `{error: {code, message, field?}}`; bad input is always a 4xx naming the field,
// a database that cannot be reached is a retriable 503, and only a genuine bug is a 500.

export interface ApiErrorOptions {
  status: number;
  code: string;
  field?: string;
  hint?: string;
  /** Extra top-level keys of the answer, e.g. the recorded charge beside CARD_DECLINED. */
  extra?: Record<string, unknown>;
  cause?: unknown;
}

/** An error that knows its HTTP status; route code throws these for expected outcomes. */
export class ApiError extends OpsError {
  readonly status: number;
  readonly field: string | undefined;
  readonly extra: Record<string, unknown> | undefined;

  constructor(message: string, o: ApiErrorOptions) {
    super(message, { code: o.code, hint: o.hint, cause: o.cause, retriable: o.status >= 500 });
    this.status = o.status;
    this.field = o.field;
    this.extra = o.extra;
  }
}

export interface ErrorBody {
  error: { code: string; message: string; field?: string };
  [extra: string]: unknown;
}

export function errorBody(code: string, message: string, field?: string, extra?: Record<string, unknown>): ErrorBody {
  return { ...extra, error: field === undefined ? { code, message } : { code, message, field } };
}

// Fastify's own request errors (body parsing, limits) and the code we answer them with.
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'EMPTY_BODY',
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_CONTENT_LENGTH',
};

// mysql2 errors that mean "the database is unreachable or busy", not "the query is wrong".
const TRANSIENT_DB_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_LOCK_DEADLOCK',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
]);

function isTransientDbError(err: { code?: unknown; fatal?: unknown; message?: unknown }): boolean {
  return (typeof err.code === 'string' && TRANSIENT_DB_CODES.has(err.code)) || err.fatal === true || err.message === 'Queue limit reached.';
}

interface AjvErrorLike {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
  schema?: unknown;
  parentSchema?: { description?: string };
}

/** Picks the error a caller can act on and names its field ("amount", "chargeId"). */
export function describeValidation(errors: AjvErrorLike[], context: string): { message: string; field: string | undefined } {
  const oneOf = errors.find((e) => e.keyword === 'oneOf');
  if (oneOf) {
    // `verbose` gives us the alternatives, so the message can list them.
    const names = Array.isArray(oneOf.schema) ? oneOf.schema.flatMap((s: { required?: string[] }) => s.required ?? []) : [];
    return { message: `${context} must have exactly one of: ${names.join(', ')}`, field: names[0] };
  }
  const e = errors[0];
  if (!e) return { message: `${context} is invalid`, field: undefined };
  const path = e.instancePath.replace(/^\//, '').replaceAll('/', '.');
  let field = path || undefined;
  if (e.keyword === 'required') field = [path, String(e.params.missingProperty)].filter(Boolean).join('.');
  if (e.keyword === 'additionalProperties') {
    field = [path, String(e.params.additionalProperty)].filter(Boolean).join('.');
    return { message: `${context} has an unknown property "${field}"`, field };
  }
  // A schema's `description` says what a valid value looks like, in words rather than a regex.
  const want = e.keyword === 'required' ? undefined : e.parentSchema?.description;
  return { message: `${context}${e.instancePath} ${want ? `must be ${want}` : (e.message ?? 'is invalid')}`, field };
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(errorBody('ROUTE_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`));
  });

  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof ApiError) {
      return reply.code(err.status).send(errorBody(err.code, err.message, err.field, err.extra));
    }
    if (err.validation) {
      const { message, field } = describeValidation(err.validation, err.validationContext ?? 'request');
      return reply.code(400).send(errorBody('VALIDATION_FAILED', message, field));
    }
    const mapped = FASTIFY_CODES[err.code];
    if (mapped) return reply.code(err.statusCode ?? 400).send(errorBody(mapped, err.message));
    if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.code(err.statusCode).send(errorBody('BAD_REQUEST', err.message));
    }
    if (isTransientDbError(err)) {
      request.log.warn({ err }, 'ledger database unavailable');
      return reply.code(503).send(errorBody('LEDGER_UNAVAILABLE', `the gateway's ledger database is unavailable: ${err.message}`));
    }
    request.log.error({ err }, 'unhandled error');
    return reply.code(500).send(errorBody('INTERNAL', 'internal error in the gateway stand-in; see its log'));
  });
}
