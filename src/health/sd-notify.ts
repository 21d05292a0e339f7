// systemd notify protocol (READY=1, WATCHDOG=1, STOPPING=1, STATUS=) for Type=notify. Node cannot send on an
// AF_UNIX datagram socket without a native addon, so each message is handed to `systemd-notify`, which needs
// NotifyAccess=all (the sender is the child); without --no-block systemd-notify waits until the manager has
// processed the message (sd_notify_barrier), so the child is still alive when systemd attributes it to our
// cgroup. The watchdog is fed from an event-loop timer: a blocked loop stops feeding it and systemd restarts us.
import { execFile } from 'node:child_process';
import type { Logger } from 'pino';
import { unrefTimer, type Clock, type TimerHandle } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';

export type NotifyRunner = (bin: string, args: string[], timeoutMs: number) => Promise<void>;

export interface SdNotifyOptions {
  logger: Logger;
  /** Default process.env (NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID). */
  env?: NodeJS.ProcessEnv;
  /** Default "systemd-notify" (found on PATH; /usr/bin under ProtectSystem=strict is readable). */
  bin?: string;
  /** Kill a stuck systemd-notify after this long; default 5 000 ms. */
  timeoutMs?: number;
  /** Injected in tests. */
  run?: NotifyRunner;
  /** This process's pid (WATCHDOG_PID check); default process.pid. */
  pid?: number;
}

const defaultRun: NotifyRunner = (bin, args, timeoutMs) =>
  new Promise((resolve, reject) => {
    execFile(bin, args, { timeout: timeoutMs, windowsHide: true }, (err) => (err ? reject(err) : resolve()));
  });

export class SdNotifier {
  readonly enabled: boolean;
  private readonly env: NodeJS.ProcessEnv;
  private readonly run: NotifyRunner;
  private failures = 0;

  constructor(private readonly opts: SdNotifyOptions) {
    this.env = opts.env ?? process.env;
    this.enabled = Boolean(this.env['NOTIFY_SOCKET']);
    this.run = opts.run ?? defaultRun;
  }

  /** Start-up finished (after restart recovery). */
  ready(status?: string): Promise<void> {
    return this.send(['READY=1', ...(status ? [`STATUS=${status}`] : [])]);
  }

  stopping(status?: string): Promise<void> {
    return this.send(['STOPPING=1', ...(status ? [`STATUS=${status}`] : [])]);
  }

  status(text: string): Promise<void> {
    return this.send([`STATUS=${text}`]);
  }

  watchdog(): Promise<void> {
    return this.send(['WATCHDOG=1']);
  }

  /**
   * Half of WATCHDOG_USEC (systemd's advice) in ms, or undefined when the watchdog is off or meant for
   * another pid.
   */
  watchdogIntervalMs(): number | undefined {
    if (!this.enabled) return undefined;
    const usec = Number(this.env['WATCHDOG_USEC']);
    if (!Number.isFinite(usec) || usec <= 0) return undefined;
    const pid = this.env['WATCHDOG_PID'];
    if (pid !== undefined && pid !== '' && Number(pid) !== (this.opts.pid ?? process.pid)) return undefined;
    return Math.max(1_000, Math.floor(usec / 1000 / 2));
  }

  /** Feeds the watchdog now and then from a (unref'd) clock interval; returns a stop function. No-op when disabled. */
  startWatchdog(clock: Clock): () => void {
    const intervalMs = this.watchdogIntervalMs();
    if (intervalMs === undefined) return () => undefined;
    let inFlight = false;
    const feed = (): void => {
      // The timer only runs when the event loop turns; a stuck loop starves it and systemd steps in.
      if (inFlight) return;
      inFlight = true;
      void this.watchdog().finally(() => {
        inFlight = false;
      });
    };
    // Once at once (start-up may have taken most of the first period), then every half period.
    feed();
    const handle: TimerHandle = clock.setInterval(feed, intervalMs);
    unrefTimer(handle);
    this.opts.logger.info({ intervalMs }, 'systemd watchdog feeding started');
    return () => clock.clearInterval(handle);
  }

  private async send(assignments: string[]): Promise<void> {
    if (!this.enabled) return;
    try {
      await this.run(this.opts.bin ?? 'systemd-notify', assignments, this.opts.timeoutMs ?? 5_000);
      this.failures = 0;
    } catch (err) {
      this.failures++;
      // Log the first failure and every tenth after it: a broken notify path must be visible, not a flood.
      if (this.failures === 1 || this.failures % 10 === 0) {
        this.opts.logger.warn({ message: assignments.join(' '), failures: this.failures, err: errorMessage(err) }, 'systemd notify failed');
      }
    }
  }
}
