// EXPERIMENT ONLY (not kisd's limiter): wraps a RateLimiter so grants are also spaced evenly, at least
// minSpacingMs apart, in request order (priority is ignored). Used by `rest-throughput --experiment-paced`
// to show the effect of pacing on EGW00201: the shipped sliding-window limiter grants a full second's quota
// at once, and a burst spread over a finite connection pool can reach the server as 21+ calls in 1000 ms.
import { systemClock } from '../../../src/core/clock.js';
import type { RateLimiter } from '../../../src/kis/rest/index.js';

export function paceLimiterInPlace(limiter: RateLimiter, minSpacingMs: number): void {
  const inner = limiter.acquire.bind(limiter);
  let chain: Promise<unknown> = Promise.resolve();
  let lastGrantMono = -Infinity;
  (limiter as { acquire: RateLimiter['acquire'] }).acquire = (opts) => {
    const granted = chain.then(async () => {
      const r = await inner(opts);
      const waitMs = lastGrantMono + minSpacingMs - systemClock.monotonicMs();
      if (waitMs > 0) await systemClock.sleep(waitMs, opts?.signal);
      lastGrantMono = systemClock.monotonicMs();
      return r;
    });
    chain = granted.catch(() => undefined);
    return granted;
  };
}
