// Reads untrusted JSON (a config file, a drill file) field by field. Every failure names
// the field and says what would be accepted and what was found; the caller decides which
// error that is (a usage error for ticketctl's config, a drill format error for drills).

export type FieldError = (field: string, problem: string) => Error;

export class FieldReader {
  readonly #error: FieldError;
  constructor(error: FieldError) {
    this.#error = error;
  }
  fail(field: string, problem: string, got: unknown): never {
    throw this.#error(field, `${problem} (got ${JSON.stringify(got) ?? String(got)}).`);
  }
  /** An object; with `allowed`, any other key is an error naming it. */
  object(raw: unknown, field: string, allowed?: string[]): Record<string, unknown> {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) this.fail(field, 'must be an object', raw);
    const unknown = allowed ? Object.keys(raw).filter((k) => !allowed.includes(k)) : [];
    if (unknown.length) throw this.#error(field === '(top level)' ? unknown[0]! : `${field}.${unknown[0]}`, `is not a known key (allowed here: ${allowed!.join(', ')}).`);
    return raw as Record<string, unknown>;
  }
  array(raw: unknown, field: string, min: number): unknown[] {
    if (!Array.isArray(raw)) this.fail(field, 'must be a list', raw);
    if ((raw as unknown[]).length < min) this.fail(field, `must have at least ${min} item${min === 1 ? '' : 's'}`, raw);
    return raw as unknown[];
  }
  /** A non-empty list, each item read by `item` with its index in the field name. */
  list<T>(raw: unknown, field: string, item: (x: unknown, field: string) => T): T[] {
    if (!Array.isArray(raw) || raw.length === 0) this.fail(field, 'must be a non-empty list', raw);
    return (raw as unknown[]).map((x, i) => item(x, `${field}[${i}]`));
  }
  string(raw: unknown, field: string): string {
    if (typeof raw !== 'string' || raw.trim() === '') this.fail(field, 'must be a non-empty string', raw);
    return raw;
  }
  boolean(raw: unknown, field: string): boolean {
    if (typeof raw !== 'boolean') this.fail(field, 'must be true or false', raw);
    return raw;
  }
  integer(raw: unknown, field: string, min: number, max: number): number {
    if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < min || raw > max) this.fail(field, `must be a whole number from ${min} to ${max}`, raw);
    return raw;
  }
  rate(raw: unknown, field: string): number {
    if (typeof raw !== 'number' || !(raw >= 0 && raw <= 1)) this.fail(field, 'must be a number from 0 to 1', raw);
    return raw;
  }
  oneOf<T extends string>(raw: unknown, field: string, allowed: readonly T[]): T {
    if (typeof raw !== 'string' || !allowed.includes(raw as T)) this.fail(field, `must be one of ${allowed.join(', ')}`, raw);
    return raw as T;
  }
  hostPort(raw: unknown, field: string): string {
    const m = typeof raw === 'string' ? /^([^\s:/]+):(\d{1,5})$/.exec(raw) : null;
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65_535) this.fail(field, 'must be "host:port"', raw);
    return raw as string;
  }
  /** An http(s) URL, without trailing slashes. */
  url(raw: unknown, field: string): string {
    let ok: boolean;
    try {
      ok = typeof raw === 'string' && ['http:', 'https:'].includes(new URL(raw).protocol);
    } catch {
      ok = false;
    }
    if (!ok) this.fail(field, 'must be an http(s) URL', raw);
    return (raw as string).replace(/\/+$/, '');
  }
}
