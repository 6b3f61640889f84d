import { InvalidArgumentError } from 'commander';

// Durations as an operator types them: 500ms, 10s, 2m, 1h (a unit is required, so "10"
// cannot be read as seconds by one person and milliseconds by another). Not `ms` or
// parse-duration: both read "10" as 10 ms and take "-1s", "10 sec", "1d" (parse-duration
// also "1h30m"), so the regex that refuses those would be all the parsing left.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "10s" -> 10000; undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/.exec(text);
  if (!m) return undefined;
  const ms = Math.round(Number(m[1]) * UNIT_MS[m[2]!]!);
  return Number.isFinite(ms) ? ms : undefined;
}

/** A commander argument parser for a duration flag (a bad value exits 2, naming the flag). */
export const durationArg =
  (flag: string) =>
  (raw: string): number => {
    const ms = parseDuration(raw);
    if (ms === undefined) throw new InvalidArgumentError(`${flag} must be a duration with a unit, e.g. 500ms, 10s, 2m or 1h (got "${raw}").`);
    return ms;
  };

/** 12345 -> "12.3 s"; 200000 -> "3m 20s": short, for tables and plan lines. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${ms % 1000 === 0 ? ms / 1000 : (ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}
