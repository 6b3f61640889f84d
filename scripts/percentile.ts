// Percentiles for benchmark latencies, by the nearest-rank method: the p-th percentile is
// the smallest sample with at least p % of the samples at or below it. Always a real
// sample (no interpolation), so a p99 over 1,000 requests is the 990th fastest one.

/** The p-th percentile (0 < p <= 100) of xs, by nearest rank; NaN when xs is empty. */
export function percentile(xs: readonly number[], p: number): number {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p} must be in (0, 100]`);
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.ceil((p / 100) * sorted.length) - 1]!;
}

/** The median of xs (mean of the two middle samples when their number is even); NaN when empty. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export interface LatencySummary {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarize(xs: readonly number[]): LatencySummary {
  return { n: xs.length, p50: percentile(xs, 50), p99: percentile(xs, 99), max: xs.length ? Math.max(...xs) : Number.NaN };
}
