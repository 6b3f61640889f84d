import { OpsError, httpRequest, HttpUnreachable, type HttpAnswer } from '../../lib/index.ts';
import type { Knobs } from './knobs.ts';
import type { Charge, ChargePage, ChargeView, Refund } from './ledger.ts';

// The gateway's HTTP client, as the service's payment saga uses it. Every failure is a
// GatewayError whose `retriable` the saga's retry policy reads: network errors, timeouts
// and 5xx may succeed on a retry with the same idempotency key; a 4xx never will.
// A timeout is the dangerous case: the charge may have been made, so the only safe next
// step is a retry with the same key, never a new key.

export interface GatewayClientOptions {
  baseUrl: string;
  /** Per request, including reading the answer. */
  timeoutMs: number;
}

export interface ChargeInput {
  idempotencyKey: string;
  paymentTxId: string;
  amount: number;
  currency?: string;
}

/** amount: minor units; leave it out to refund what is left of the charge. */
export type RefundInput = { idempotencyKey: string; amount?: number; reason?: string } & ({ chargeId: number } | { chargeIdempotencyKey: string });

export interface ListChargesInput {
  /** Charges created at or after this time. */
  createdFrom: Date;
  /** The nextCursor of the previous page. */
  cursor?: string;
  /** 1..1000, default 100. */
  limit?: number;
}

export type { ChargePage };

export type ChargeResult = Charge & { replayed: boolean };
export type RefundResult = Refund & { replayed: boolean };

export interface LedgerPage {
  since: string;
  limit: number;
  truncated: boolean;
  charges: Charge[];
  refunds: Refund[];
}

export interface GatewayHealth {
  status: 'UP' | 'DOWN';
  error?: string;
  /** Charges and refunds the stand-in is working on (a caller that timed out does not stop them). */
  inFlight?: number;
}

export interface GatewayErrorDetails {
  status?: number;
  field?: string;
  /** The recorded charge, when the gateway sends one (CARD_DECLINED). */
  charge?: ChargeResult;
  retriable: boolean;
  hint?: string;
  cause?: unknown;
}

export class GatewayError extends OpsError {
  /** HTTP status, or undefined when no answer arrived. */
  readonly status: number | undefined;
  readonly field: string | undefined;
  readonly charge: ChargeResult | undefined;

  constructor(message: string, code: string, d: GatewayErrorDetails) {
    super(message, { code, retriable: d.retriable, hint: d.hint, cause: d.cause });
    this.status = d.status;
    this.field = d.field;
    this.charge = d.charge;
  }
}

const HINTS: Record<string, string> = {
  GATEWAY_TIMEOUT: 'the operation may have been recorded: retry with the same idempotencyKey, never a new one',
  GATEWAY_UNREACHABLE: 'retry with the same idempotencyKey; check the gateway with GET /health',
  CARD_DECLINED: 'a decline is final for this key: fail the payment',
  IDEMPOTENCY_CONFLICT: 'the key was already used with a different body: this is a bug in the caller',
};

// 408 and 429 are 4xx but transient by definition.
const isRetriableStatus = (status: number) => status >= 500 || status === 408 || status === 429;

export function createGatewayClient(options: GatewayClientOptions) {
  let base: URL;
  try {
    base = new URL(options.baseUrl);
  } catch (err) {
    throw new OpsError(`gateway baseUrl "${options.baseUrl}" is not a URL`, { code: 'INVALID_CONFIG', hint: 'pass e.g. http://127.0.0.1:18080', cause: err });
  }
  if (!Number.isInteger(options.timeoutMs) || options.timeoutMs <= 0) {
    throw new OpsError(`gateway timeoutMs ${options.timeoutMs} must be a positive integer`, { code: 'INVALID_CONFIG', hint: 'pass the per-request timeout in milliseconds' });
  }
  const { timeoutMs } = options;

  async function call<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown, accept: (status: number) => boolean = (s) => s < 300): Promise<T> {
    const what = `${method} ${path}`;
    let answer: HttpAnswer;
    try {
      answer = await httpRequest(new URL(path, base), { method, body, timeoutMs });
    } catch (err) {
      const timedOut = err instanceof HttpUnreachable && err.kind === 'timeout';
      const code = timedOut ? 'GATEWAY_TIMEOUT' : 'GATEWAY_UNREACHABLE';
      const message = timedOut ? `gateway ${what} got no answer within ${timeoutMs} ms` : `gateway ${what} failed: ${(err as Error).message}`;
      throw new GatewayError(message, code, { retriable: true, hint: HINTS[code], cause: err });
    }
    const { status, text } = answer;
    // A body that is not JSON (a proxy's error page) is no answer of the gateway's.
    const parsed = typeof answer.body === 'string' ? undefined : answer.body;
    if (accept(status) && parsed !== undefined) return parsed as T;

    const error = (parsed as { error?: { code?: string; message?: string; field?: string } } | undefined)?.error;
    const code = error?.code ?? (status >= 500 ? 'GATEWAY_UNAVAILABLE' : 'BAD_RESPONSE');
    throw new GatewayError(`gateway ${what} answered ${status}: ${error?.message ?? (text.slice(0, 200) || 'no body')}`, code, {
      status,
      field: error?.field,
      charge: (parsed as { charge?: ChargeResult } | undefined)?.charge,
      retriable: isRetriableStatus(status),
      hint: HINTS[code],
    });
  }

  return {
    charge: (input: ChargeInput) => call<ChargeResult>('POST', '/charges', input),
    refund: (input: RefundInput) => call<RefundResult>('POST', '/refunds', input),
    getCharge: (id: number) => call<ChargeView>('GET', `/charges/${encodeURIComponent(String(id))}`),
    getCharges: async (paymentTxId: string) => (await call<{ charges: ChargeView[] }>('GET', `/charges?paymentTxId=${encodeURIComponent(paymentTxId)}`)).charges,
    /** One page of every charge by creation time, oldest first; follow nextCursor until hasMore is false. */
    listCharges: ({ createdFrom, cursor, limit }: ListChargesInput) => {
      const query = new URLSearchParams({ createdFrom: createdFrom.toISOString() });
      if (cursor !== undefined) query.set('cursor', cursor);
      if (limit !== undefined) query.set('limit', String(limit));
      return call<ChargePage>('GET', `/charges?${query.toString()}`);
    },
    ledger: (since: Date | string = new Date(0), limit?: number) => {
      const query = new URLSearchParams({ since: typeof since === 'string' ? since : since.toISOString() });
      if (limit !== undefined) query.set('limit', String(limit));
      return call<LedgerPage>('GET', `/ledger?${query.toString()}`);
    },
    getKnobs: () => call<Knobs>('GET', '/knobs'),
    setKnobs: (patch: Partial<Knobs>) => call<Knobs>('PUT', '/knobs', patch),
    /** 503 is an answer here (status DOWN), not an error. */
    health: () => call<GatewayHealth>('GET', '/health', undefined, (s) => s === 200 || s === 503),
  };
}

export type GatewayClient = ReturnType<typeof createGatewayClient>;
