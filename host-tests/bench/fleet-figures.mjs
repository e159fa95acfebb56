// Figures for the fleet bench: percentiles, and a verdict printed beside each target.

/** The p-th percentile (0..100) of `values` by nearest rank: for fewer than 100 values, p99 is the largest. */
export function percentile(values, p) {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

export const median = (values) => percentile(values, 50);

/** "met" or "MISSED", for a figure against its target. */
export const verdict = (met) => (met ? "met" : "MISSED");

/** A number of milliseconds, rounded, with its unit. */
export const ms = (value) => `${Math.round(value)} ms`;
