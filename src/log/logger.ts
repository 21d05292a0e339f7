// pino JSON logs with a child logger per component, rotated by pino-roll (10 MB × 5 by default),
// redacted twice: by field path, and by value (every registered secret is scrubbed from every line).
// Every exit path calls flush(), which writes buffered lines synchronously, so none is lost on
// SIGTERM or a fatal error.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pino, { type Logger, type DestinationStream, type StreamEntry } from 'pino';
import pretty from 'pino-pretty';
import { scrubSecrets } from './secrets.js';

export type ConsoleMode = 'auto' | 'pretty' | 'json' | 'off';

export interface LoggerOptions {
  level: string;
  /** Log file path (rotated as <name>.<n>.log); undefined = no file. */
  file?: string;
  maxSizeMb: number;
  maxFiles: number;
  console: ConsoleMode;
  /** Where console output goes (tests pass a writable); default process.stdout. */
  consoleStream?: NodeJS.WritableStream & { isTTY?: boolean };
}

/** Field paths whose values are always masked, wherever they appear. */
export const REDACT_PATHS = [
  'access_token', '*.access_token', 'accessToken', '*.accessToken',
  'appkey', '*.appkey', 'appKey', '*.appKey',
  'appsecret', '*.appsecret', 'appSecret', '*.appSecret', 'secretkey', '*.secretkey',
  'approval_key', '*.approval_key', 'approvalKey', '*.approvalKey',
  'authorization', '*.authorization', 'headers.authorization', '*.headers.authorization',
  'token', '*.token', 'password', '*.password',
  'CANO', '*.CANO', 'cano', '*.cano', 'accountNo', '*.accountNo', 'account_no', '*.account_no',
];

export interface KisdLogger {
  logger: Logger;
  /** Flushes every destination (synchronous streams: returns when bytes are handed to the OS). */
  flush(): void;
  close(): Promise<void>;
}

type Closable = DestinationStream & { flushSync?: () => void; end?: () => void; once?: (e: string, f: () => void) => void; closed?: boolean };

export async function createLogger(opts: LoggerOptions): Promise<KisdLogger> {
  const streams: StreamEntry[] = [];
  let closed = false;
  let fileStream: Closable | undefined;
  if (opts.file) {
    mkdirSync(dirname(opts.file), { recursive: true, mode: 0o750 });
    // pino-roll runs as a pino transport (a worker thread), the way it is built to run: it rolls on the
    // worker's 'drain'. pino flushes transports synchronously at exit, and every exit path here calls
    // flush() first, so no line is lost on SIGTERM or a fatal error.
    fileStream = pino.transport({
      target: 'pino-roll',
      options: {
        file: opts.file.replace(/\.log$/, ''),
        extension: '.log',
        size: `${opts.maxSizeMb}m`,
        // With removeOtherLogFiles pino-roll keeps `count` files in all (the active one included).
        limit: { count: opts.maxFiles, removeOtherLogFiles: true },
        symlink: true,
        mkdir: true,
        mode: 0o640,
      },
    }) as unknown as Closable;
    // A late line (a timer firing during shutdown) must not throw "the worker is ending" once the transport
    // is closed: after close() writes are dropped; everything before was flushed.
    const file = fileStream;
    streams.push({ level: 'trace', stream: { write: (line: string) => (closed ? undefined : file.write(line)) } as DestinationStream });
  }
  const out = opts.consoleStream ?? process.stdout;
  const consoleMode = opts.console === 'auto' ? (out.isTTY ? 'pretty' : 'json') : opts.console;
  if (consoleMode === 'pretty') {
    streams.push({ level: 'trace', stream: pretty({ destination: out as NodeJS.WritableStream, colorize: Boolean(out.isTTY), sync: true, translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l', ignore: 'pid,hostname' }) });
  } else if (consoleMode === 'json') {
    streams.push({ level: 'trace', stream: opts.consoleStream ? (out as unknown as DestinationStream) : pino.destination({ dest: 1, sync: true }) });
  }
  const logger = pino(
    {
      level: opts.level,
      base: { pid: process.pid },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
      hooks: { streamWrite: (line: string) => scrubSecrets(innermostComponent(line)) },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { log: roundDurations },
    },
    streams.length > 0 ? pino.multistream(streams) : pino.destination('/dev/null'),
  );
  return {
    logger,
    flush: () => {
      logger.flush();
      try {
        fileStream?.flushSync?.();
      } catch {
        // the worker already exited: nothing left to flush
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (!fileStream?.end || fileStream.closed || closed) return resolve();
        logger.flush();
        closed = true;
        fileStream.once?.('close', () => resolve());
        fileStream.end();
      }),
  };
}

/**
 * A child of a child logger carries both components ({"component":"orders","component":"order-manager"}):
 * duplicate keys that JSON tools disagree on. Keep the innermost (last) one, the component that logged.
 */
export function innermostComponent(line: string): string {
  const first = line.indexOf('"component":');
  if (first < 0 || line.indexOf('"component":', first + 12) < 0) return line;
  const all = [...line.matchAll(/"component":"[^"\\]*",/g)];
  if (all.length < 2) return line;
  let out = line;
  for (const m of all.slice(0, -1).reverse()) out = out.slice(0, m.index) + out.slice((m.index ?? 0) + m[0].length);
  return out;
}

/**
 * Durations come from a monotonic clock with sub-microsecond noise (0.006351999999992586 ms): fields named
 * *Ms, *Sec or *Seconds are logged to 3 decimals. Prices and other numbers are left exactly as given.
 */
export function roundDurations(obj: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v === 'number' && !Number.isInteger(v) && Number.isFinite(v) && /(Ms|Sec|Seconds)$/.test(k)) {
      out ??= { ...obj };
      out[k] = Math.round(v * 1000) / 1000;
    }
  }
  return out ?? obj;
}

/** A logger for tests and tools that writes nothing. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
