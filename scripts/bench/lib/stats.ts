// Small statistics for benchmark figures: percentiles (nearest rank) and a least-squares slope.


/** p50/p90/p99/max of values, rounded to 3 decimals. */
export function summarize(values: readonly number[]): { n: number; p50: number; p90: number; p99: number; max: number } {
  const r = (v: number): number => Math.round(v * 1000) / 1000;
  const sorted = Float64Array.from(values).sort();
  const at = (p: number): number => (sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number));
  return { n: values.length, p50: r(at(50)), p90: r(at(90)), p99: r(at(99)), max: r(sorted.length ? (sorted[sorted.length - 1] as number) : Number.NaN) };
}

/** Ordinary least-squares slope of y over x (units of y per unit of x); NaN with fewer than 2 points. */
export function leastSquaresSlope(xs: readonly number[], ys: readonly number[]): number {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return Number.NaN;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += xs[i] as number;
    sy += ys[i] as number;
  }
  const mx = sx / n;
  const my = sy / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - mx;
    num += dx * ((ys[i] as number) - my);
    den += dx * dx;
  }
  return den === 0 ? Number.NaN : num / den;
}
