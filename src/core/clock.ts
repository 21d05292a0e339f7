// The one place that touches Date.now, performance.now and the global timers (STYLE rule 1).
// Everything time-dependent takes a Clock so tests can drive it with @sinonjs/fake-timers.

/** Opaque timer handle returned by Clock.setTimeout / setInterval. */
export type TimerHandle = { readonly __timer: unique symbol } | object;

export interface Clock {
  /** Wall-clock time, epoch milliseconds (UTC). Use for calendar decisions and expiry stamps. */
  nowMs(): number;
  /** Monotonic milliseconds from an arbitrary origin. Use for timeouts, backoff and rate windows. */
  monotonicMs(): number;
  setTimeout(fn: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
  setInterval(fn: () => void, intervalMs: number): TimerHandle;
  clearInterval(handle: TimerHandle | undefined): void;
  /** Resolves after delayMs; rejects with the signal's reason if aborted first. */
  sleep(delayMs: number, signal?: AbortSignal): Promise<void>;
}

/** Lets a timer not keep the process alive (no-op for fake timers). */
export function unrefTimer(handle: TimerHandle | undefined): void {
  const h = handle as { unref?: () => void } | undefined;
  if (h && typeof h.unref === 'function') h.unref();
}

type TimerApi = {
  now: () => number;
  mono: () => number;
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (h: unknown) => void;
  setInterval: (fn: () => void, ms: number) => unknown;
  clearInterval: (h: unknown) => void;
};

/** Builds a Clock from a timer API; used for the system clock and for fake-timer adapters. */
export function clockFrom(api: TimerApi): Clock {
  const clock: Clock = {
    nowMs: () => api.now(),
    monotonicMs: () => api.mono(),
    setTimeout: (fn, ms) => api.setTimeout(fn, Math.max(0, ms)) as TimerHandle,
    clearTimeout: (h) => {
      if (h !== undefined) api.clearTimeout(h);
    },
    setInterval: (fn, ms) => api.setInterval(fn, Math.max(1, ms)) as TimerHandle,
    clearInterval: (h) => {
      if (h !== undefined) api.clearInterval(h);
    },
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason ?? new Error('aborted'));
          return;
        }
        const onAbort = (): void => {
          api.clearTimeout(handle);
          reject(signal?.reason ?? new Error('aborted'));
        };
        const handle = api.setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, Math.max(0, ms));
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
  };
  return clock;
}

/** The real clock. */
export const systemClock: Clock = clockFrom({
  now: () => Date.now(),
  mono: () => performance.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as NodeJS.Timeout),
  setInterval: (fn, ms) => globalThis.setInterval(fn, ms),
  clearInterval: (h) => globalThis.clearInterval(h as NodeJS.Timeout),
});

/**
 * A clock whose wall time is shifted by offsetMs (monotonic time and timers are untouched). Used by the
 * daemon's KISD_TEST_CLOCK_START hook so process-level tests can start "at 07:30 KST" on any real day.
 */
export function offsetClock(base: Clock, offsetMs: number): Clock {
  return { ...base, nowMs: () => base.nowMs() + offsetMs };
}
