// `kisd run`: the daemon. Signals: SIGTERM/SIGINT stop gracefully within the deadline (exit 0 when in time);
// SIGHUP flushes logs (pino-roll rotates by size on its own); an uncaught error logs fatal, flushes and exits 1
// so systemd restarts the service.
import type { Command } from 'commander';
import { systemClock, unrefTimer, type Clock } from '../../core/clock.js';
import { formatKstTimestamp } from '../../core/kst.js';
import { loadConfig } from '../../config/load.js';
import { AbortedError } from '../../core/errors.js';
import { preflight } from '../../daemon/preflight.js';
import { createLogger } from '../../log/logger.js';
import { startDaemon } from '../../daemon/daemon.js';
import { SdNotifier } from '../../health/index.js';
import { timeTravelClock, timeTravelFrom } from './time-travel.js';

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('run the daemon (mode sim: against the built-in KIS simulator)')
    .option('--stop-deadline-sec <sec>', 'graceful stop deadline', '20')
    .option('--stop-with-parent', 'stop gracefully when the process that started kisd exits (npm start: npm does not pass SIGTERM on)', false)
    .option('--at <kst>', 'time travel (mode sim): start the clock at this KST instant, "YYYY-MM-DD HH:MM[:SS]" or "HH:MM"')
    .option('--speed <n>', 'time travel (mode sim): run the daemon and simulator clock N times faster (1-1000)')
    .option('--clock-anchor <epochMs>', 'time travel against a standalone `kisd sim --at … --speed …`: follow its clock (the value it printed, with its --at and --speed)')
    .action(async (opts: { stopDeadlineSec: string; stopWithParent: boolean; at?: string; speed?: string; clockAnchor?: string }) => {
      const deadlineMs = Math.max(1, Number(opts.stopDeadlineSec)) * 1000;
      // The daemon outlives a closed console pipe: everything also goes to the log file. (Short commands stop
      // quietly on EPIPE instead, see main.ts.)
      for (const stream of [process.stdout, process.stderr]) {
        stream.removeAllListeners('error');
        stream.on('error', () => undefined);
      }
      // Exactly what `kisd config check` runs: a config it rejects never gets this far, and vice versa.
      const { config, credentials } = preflight(loadConfig({ file: program.opts<{ config?: string }>().config }));
      const travel = timeTravelFrom(opts, { mode: config.mode, externalSim: config.resolved.restBaseUrl !== undefined, nowMs: systemClock.nowMs(), command: 'run' });
      const logs = await createLogger({
        level: config.log.level,
        file: config.resolved.paths.logFile,
        maxSizeMb: config.log.max_size_mb,
        maxFiles: config.log.max_files,
        console: config.log.console,
      });
      const logger = logs.logger;
      const fatal = (kind: string) => (err: unknown) => {
        logger.fatal({ err }, `${kind}: exiting with status 1 so systemd restarts kisd`);
        logs.flush();
        process.exit(1);
      };
      process.on('uncaughtException', fatal('uncaught exception'));
      process.on('unhandledRejection', fatal('unhandled promise rejection'));

      const notifier = new SdNotifier({ logger: logger.child({ component: 'sd-notify' }) });
      // A signal during start-up (waiting out the one-token-per-minute rule, a slow KIS) aborts it at once.
      const startAbort = new AbortController();
      let parentWatch: ReturnType<typeof systemClock.setInterval> | undefined;
      const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
        const on = (name: NodeJS.Signals) => () => {
          startAbort.abort(new AbortedError(`${name} during start-up`));
          resolve(name);
        };
        process.once('SIGTERM', on('SIGTERM'));
        process.once('SIGINT', on('SIGINT'));
        if (opts.stopWithParent) {
          // npm exits on SIGTERM without passing it on, leaving us orphaned (re-parented): treat that as SIGTERM.
          const parent = process.ppid;
          parentWatch = systemClock.setInterval(() => {
            if (process.ppid === parent) return;
            systemClock.clearInterval(parentWatch);
            logger.warn({ parent }, `the process that started kisd (pid ${parent}) has exited: stopping as on SIGTERM`);
            on('SIGTERM')();
          }, 1_000);
          unrefTimer(parentWatch);
        }
      });
      process.on('SIGHUP', () => {
        logger.info('SIGHUP: log files rotate by size on their own (pino-roll); buffers flushed');
        logs.flush();
      });

      // Time travel (sim mode): one clock for the daemon and its embedded simulator, started at --at and
      // running --speed times faster. Signals, the systemd watchdog and the stop deadline stay on real time.
      const clock: Clock = travel ? timeTravelClock(systemClock, travel) : systemClock;
      if (travel) {
        const text = `time travel: the clock starts at ${formatKstTimestamp(travel.startAtMs)} KST and runs ${travel.speed}x real time (simulator only)`;
        logger.warn({ at: formatKstTimestamp(travel.startAtMs), speed: travel.speed }, text);
        process.stderr.write(`kisd: ${text}\n`);
      }

      let daemon;
      try {
        daemon = await startDaemon({ config, credentials, clock, logger, realClock: systemClock, signal: startAbort.signal });
      } catch (err) {
        if (startAbort.signal.aborted) {
          void notifier.stopping();
          logger.info(`${String((startAbort.signal.reason as Error).message)}: stopped before kisd was ready`);
          logs.flush();
          await logs.close();
          process.exit(0);
        }
        logger.fatal({ err }, 'start-up failed; fix the cause above and start again (systemd retries with back-off)');
        logs.flush();
        await logs.close();
        process.exit(1); // whatever half-started (a simulator socket, a timer) must not keep the process alive
      }
      if (!process.stdout.isTTY || config.log.console === 'off') {
        // Console logs may be JSON or off: still tell a person where things are.
        const where = daemon.healthUrl ? `health ${daemon.healthUrl}/healthz, status page ${daemon.healthUrl}/` : 'no health endpoint (health.enabled is false)';
        process.stderr.write(`kisd ready: ${where}${daemon.sim ? `, simulator REST ${daemon.restBaseUrl} WS ${daemon.wsUrl}` : ''}\n`);
      }
      void notifier.ready('kisd ready');
      const stopWatchdog = notifier.startWatchdog(systemClock);

      const signal = await stopSignal;
      systemClock.clearInterval(parentWatch);
      const startedMs = systemClock.monotonicMs();
      logger.info({ signal, deadlineMs }, `${signal}: stopping (deadline ${deadlineMs / 1000} s)`);
      process.once(signal, () => {
        logger.warn(`${signal} again: stopping now without waiting for in-flight work`);
        logs.flush();
        process.exit(1);
      });
      void notifier.stopping();
      stopWatchdog();
      const report = await daemon.stop(deadlineMs);
      const elapsedMs = Math.round(systemClock.monotonicMs() - startedMs);
      const clean = report.inTime && report.failed.length === 0;
      if (clean) logger.info({ elapsedMs }, `kisd stopped cleanly in ${elapsedMs} ms`);
      else logger.error({ elapsedMs, timedOut: report.timedOut, failed: report.failed }, 'kisd stopped past its deadline or with failures');
      logs.flush();
      await logs.close();
      // Exit explicitly: a component that overran the deadline may still hold the event loop open.
      process.exit(clean ? 0 : 1);
    });
}
