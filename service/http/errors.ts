import type { FastifyError } from 'fastify';
import { ServiceError } from '../errors.ts';

// The one place an error becomes an HTTP answer: `{error: {code, message, field?}}`.
// Bad input is always a 4xx naming the field; a dependency outage a fast 503 with
// Retry-After; anything untyped a 500 (and a log line, since it is a bug).

export interface ErrorResponse {
  status: number;
  body: { error: { code: string; message: string; field?: string } };
  headers: Record<string, string>;
  isBug: boolean;
}

const FASTIFY_CODES: Record<string, { status: number; code: string; message?: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'BODY_TOO_LARGE', message: 'Request body is larger than 16 KiB.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send JSON with content-type: application/json.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'INVALID_JSON', message: 'The body is empty; send a JSON object.' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'INVALID_JSON', message: 'The body is not valid JSON.' },
};

export function toErrorResponse(err: unknown): ErrorResponse {
  if (err instanceof ServiceError) {
    const headers: Record<string, string> = err.retryAfterSec ? { 'retry-after': String(err.retryAfterSec) } : {};
    return { status: err.status, body: { error: { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) } }, headers, isBug: false };
  }
  const f = err as FastifyError & { validation?: Array<{ instancePath: string; params: Record<string, unknown>; message?: string }>; validationContext?: string };
  if (f.validation && f.validation.length > 0) {
    const v = f.validation[0]!;
    const path = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
    const missing = v.params.missingProperty as string | undefined;
    const extra = v.params.additionalProperty as string | undefined;
    const field = missing ?? extra ?? (path || f.validationContext || 'body');
    const message = missing ? `${field} is required.` : extra ? `${field} is not a known field.` : `${field} ${v.message ?? 'is invalid'}.`;
    return { status: 400, body: { error: { code: 'INVALID_FIELD', message, field } }, headers: {}, isBug: false };
  }
  const known = f.code ? FASTIFY_CODES[f.code] : undefined;
  if (known) return { status: known.status, body: { error: { code: known.code, message: known.message ?? f.message } }, headers: {}, isBug: false };
  if (err instanceof SyntaxError || (f.statusCode === 400 && /JSON/i.test(f.message ?? ''))) {
    return { status: 400, body: { error: { code: 'INVALID_JSON', message: 'The body is not valid JSON.' } }, headers: {}, isBug: false };
  }
  if (typeof f.statusCode === 'number' && f.statusCode >= 400 && f.statusCode < 500) {
    return { status: f.statusCode, body: { error: { code: f.code ?? 'BAD_REQUEST', message: f.message } }, headers: {}, isBug: false };
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'Internal error; it has been logged.' } }, headers: {}, isBug: true };
}
