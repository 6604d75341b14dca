/** Clocks and percentiles shared by every benchmark. */

/**
 * Wall-clock milliseconds with sub-millisecond resolution, comparable across processes on one
 * machine (a latency stamped in one bridge process and measured in another stays meaningful).
 */
export function clock(): number {
  return performance.timeOrigin + performance.now();
}

export interface Summary {
  readonly n: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

export function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Nearest-rank percentiles of `values` (ms), rounded to µs. */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) return { n: 0, p50: 0, p95: 0, p99: 0, max: 0 };
  const sorted = Float64Array.from(values).sort();
  const at = (p: number): number => round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0);
  return { n: sorted.length, p50: at(50), p95: at(95), p99: at(99), max: round(sorted[sorted.length - 1] ?? 0) };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Poll `pred` every few ms until it holds; throws with `what` after `timeoutMs`. */
export async function until(pred: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`bench: ${what} did not happen within ${timeoutMs} ms`);
    await sleep(10);
  }
}
