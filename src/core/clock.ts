// The one place that touches Date.now, performance.now and the global timers (STYLE rule 1).
// Everything time-dependent takes a Clock so tests can drive it with @sinonjs/fake-timers.

/** Opaque timer handle returned by Clock.setTimeout / setInterval. */
export type TimerHandle = { readonly __timer: unique symbol } | object;

export interface Clock {
  /** Wall-clock time, epoch milliseconds (UTC). Use for calendar decisions and expiry stamps. */
  nowMs(): number;
  /** Monotonic milliseconds from an arbitrary origin. Use for timeouts, backoff and rate windows. */
  monotonicMs(): number;
  /**
   * Monotonic milliseconds with one origin for every process on this host (CLOCK_MONOTONIC, since boot),
   * for state several processes compare (the shared rate budget). Only the real clock has it: a virtual or
   * scaled clock cannot agree with another process.
   */
  hostMonotonicMs?(): number;
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
export const systemClock: Clock = {
  ...clockFrom({
    now: () => Date.now(),
    mono: () => performance.now(),
    setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
    clearTimeout: (h) => globalThis.clearTimeout(h as NodeJS.Timeout),
    setInterval: (fn, ms) => globalThis.setInterval(fn, ms),
    clearInterval: (h) => globalThis.clearInterval(h as NodeJS.Timeout),
  }),
  // process.hrtime reads CLOCK_MONOTONIC on Linux (mach_absolute_time on macOS): the same origin in every process.
  hostMonotonicMs: () => Number(process.hrtime.bigint()) / 1e6,
};

/**
 * A clock whose wall time is shifted by offsetMs (monotonic time and timers are untouched). Tests use it
 * to run an in-process simulator "at" a KST instant next to a daemon started with `--at`.
 */
export function offsetClock(base: Clock, offsetMs: number): Clock {
  return { ...base, nowMs: () => base.nowMs() + offsetMs };
}

/** A Clock that may run faster than real time (time travel); `speed` 1 is real time. */
export interface ScaledClock extends Clock {
  readonly speed: number;
}

/**
 * Time travel (`kisd run --at … --speed N`): wall time starts at startAtMs and it, monotonic time and
 * every timer run `speed` times faster than base. Wall time is derived from base's monotonic reading, so a
 * step of the host's clock cannot move it. One instance drives the daemon and its embedded simulator, so
 * rate windows, token rules and the schedule all scale together.
 */
export function scaledClock(base: Clock, o: { startAtMs: number; speed: number }): ScaledClock {
  const { speed } = o;
  if (!(Number.isFinite(speed) && speed > 0)) throw new RangeError(`clock speed must be a positive number (got ${speed})`);
  const mono0 = base.monotonicMs();
  const elapsed = (): number => (base.monotonicMs() - mono0) * speed;
  const real = (ms: number): number => Math.max(0, ms) / speed;
  const clock = clockFrom({
    // Whole milliseconds, as Date.now gives (state files store integer epoch ms).
    now: () => Math.floor(o.startAtMs + elapsed()),
    mono: () => mono0 + elapsed(),
    setTimeout: (fn, ms) => base.setTimeout(fn, real(ms)),
    clearTimeout: (h) => base.clearTimeout(h as TimerHandle),
    setInterval: (fn, ms) => base.setInterval(fn, Math.max(1, real(ms))),
    clearInterval: (h) => base.clearInterval(h as TimerHandle),
  });
  return { ...clock, speed };
}

/** The speed of a clock made by scaledClock, else 1. */
export function clockSpeed(clock: Clock): number {
  const s = (clock as Partial<ScaledClock>).speed;
  return typeof s === 'number' && s > 0 ? s : 1;
}

/**
 * A network timeout in clock ms that lasts at least minRealMs of real time. Under time travel a broker
 * reply still takes real CPU and I/O time (the simulator is fast on its clock, not on the host's), so a
 * 20 s read timeout must not shrink to 0.3 s at 60x and turn a slow moment into a spurious failure. At
 * speed 1 it is timeoutMs.
 */
export function networkTimeoutMs(clock: Clock, timeoutMs: number, minRealMs = 5_000): number {
  const speed = clockSpeed(clock);
  return speed <= 1 ? timeoutMs : Math.max(timeoutMs, Math.min(timeoutMs, minRealMs) * speed);
}
