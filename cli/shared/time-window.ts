import { UsageError } from '../../lib/index.ts';

// --since / --until for the payment, event and DLQ commands: an ISO time ("2026-11-25T10:00:00Z")
// or a duration back from now ("30m", "24h", "2d", "90s"). Pure, so the parsing rules have
// unit tests and every command words its errors the same way. Whole numbers of s/m/h/d only
// (no ms, no decimals, unlike `locks --older-than`): no duration library is used, as none
// refuses "10", "-1h" or "5w" by itself (see cli/commands/locks/duration.ts).

export interface TimeWindow {
  since: Date;
  until: Date;
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** One flag's value as a point in time; `now` is injected for tests. */
export function parseTimeFlag(flag: string, raw: string, now: Date): Date {
  const value = raw.trim();
  const duration = /^(\d+)\s*([smhd])$/.exec(value);
  if (duration) {
    const ms = Number(duration[1]) * UNIT_MS[duration[2]!]!;
    return new Date(now.getTime() - ms);
  }
  if (ISO.test(value)) {
    // A time without a zone is read as UTC: the stack's databases and logs are in UTC.
    const withZone = /[T ]\d{2}:\d{2}/.test(value) && !/(?:Z|[+-]\d{2}:?\d{2})$/.test(value) ? `${value.replace(' ', 'T')}Z` : value.replace(' ', 'T');
    const t = new Date(withZone);
    if (!Number.isNaN(t.getTime())) return t;
  }
  throw new UsageError(`${flag} "${raw}" is neither an ISO time nor a duration.`, `Use e.g. ${flag} 30m, ${flag} 24h, or ${flag} 2026-11-25T10:00:00Z (a time without a zone is UTC).`);
}

/** The window [since, until]; `until` defaults to now, `since` to `defaultSince` back from now. */
export function parseWindow(opts: { since?: string; until?: string }, now: Date, defaultSince: string): TimeWindow {
  const since = parseTimeFlag('--since', opts.since ?? defaultSince, now);
  const until = opts.until === undefined ? now : parseTimeFlag('--until', opts.until, now);
  if (since.getTime() > until.getTime()) {
    throw new UsageError(`--since (${since.toISOString()}) is after --until (${until.toISOString()}).`, 'Swap them, or give a --since further back.');
  }
  if (since.getTime() > now.getTime()) throw new UsageError(`--since (${since.toISOString()}) is in the future.`, 'Give a time in the past, or a duration such as 1h.');
  return { since, until };
}

export const windowJson = (w: TimeWindow) => ({ since: w.since.toISOString(), until: w.until.toISOString() });
