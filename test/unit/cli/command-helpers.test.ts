// Pure pieces of the operator commands: symbol lists, daemon.json lookup, the throttled progress printer,
// the token pacer read-out and the queue table.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileConfig } from '../../../src/config/load.js';
import { CliError } from '../../../src/cli/commands/common.js';
import { parseSymbolsText, resolveSymbols, symbolProblem } from '../../../src/cli/commands/symbols-source.js';
import { readDaemonState } from '../../../src/cli/commands/daemon-state.js';
import { progressPrinter } from '../../../src/cli/commands/collect.js';
import { pacerWaitMs } from '../../../src/cli/commands/token.js';
import { formatTaskTable, shortenAtWord } from '../../../src/cli/commands/queue.js';
import type { CollectProgress } from '../../../src/collect/index.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'kisd-cli-unit-'));

describe('symbol lists', () => {
  it('reads codes separated by lines, commas or spaces, skips comments and duplicates', () => {
    expect(parseSymbolsText('005930\n000660 # SK hynix\n\n035420, 005935 005930\n# all done\nq500001\n', 'kr', 'f')).toEqual(['005930', '000660', '035420', '005935', 'Q500001']);
  });

  it('lists every bad line with its number and exits 2', () => {
    try {
      parseSymbolsText('005930\nSAMSUNG\n00593\n', 'kr', 'syms.txt');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(CliError);
      expect((err as CliError).exitCode).toBe(2);
      expect((err as Error).message).toContain('syms.txt:2: "SAMSUNG"');
      expect((err as Error).message).toContain('syms.txt:3: "00593"');
    }
  });

  it('an empty file is an error, not an empty run', () => {
    expect(() => parseSymbolsText('# nothing\n', 'kr', 'empty.txt')).toThrow(/no symbols/);
  });

  it('US codes are EXCD:SYMBOL', () => {
    expect(symbolProblem('NAS:AAPL', 'us')).toBeUndefined();
    expect(symbolProblem('NYS:BRK.B', 'us')).toBeUndefined();
    expect(symbolProblem('AAPL', 'us')).toMatch(/EXCD:SYMBOL/);
    expect(symbolProblem('XXX:AAPL', 'us')).toBeDefined();
  });

  it('default = the configured watchlist; "all" = the master list file, else the simulator universe in sim mode', () => {
    const dir = tmp();
    const sim = compileConfig({ paths: { var_dir: dir }, feed: { kr_watchlist: ['005930', '000660'] } }, 'test');
    expect(resolveSymbols(undefined, sim, 'kr')).toEqual({ symbols: ['005930', '000660'], source: 'the configured watchlist (feed.kr_watchlist)' });
    const universe = resolveSymbols('all', sim, 'kr');
    expect(universe.symbols.length).toBeGreaterThan(2_000);
    expect(resolveSymbols('all', sim, 'us').symbols.every((s) => /^(NAS|NYS|AMS):/.test(s))).toBe(true);
    mkdirSync(join(dir, 'data', 'symbols'), { recursive: true });
    writeFileSync(join(dir, 'data', 'symbols', 'kr.txt'), '005930\n');
    expect(resolveSymbols('all', sim, 'kr').symbols).toEqual(['005930']);
    const paper = compileConfig({ mode: 'paper', paths: { var_dir: tmp() } }, 'test');
    expect(() => resolveSymbols('all', paper, 'kr')).toThrow(/--symbols all needs the master list/);
  });
});

describe('readDaemonState', () => {
  it('absent, unreadable, stale and running', () => {
    const dir = tmp();
    expect(readDaemonState(dir).kind).toBe('absent');
    writeFileSync(join(dir, 'daemon.json'), '{"pid":');
    expect(readDaemonState(dir)).toMatchObject({ kind: 'unreadable', reason: 'not JSON' });
    writeFileSync(join(dir, 'daemon.json'), JSON.stringify({ pid: 'x', healthUrl: 'http://127.0.0.1:1' }));
    expect(readDaemonState(dir)).toMatchObject({ kind: 'unreadable' });
    writeFileSync(join(dir, 'daemon.json'), JSON.stringify({ pid: 4242, healthUrl: 'http://127.0.0.1:1', restUrl: 'http://127.0.0.1:2' }));
    expect(readDaemonState(dir, () => false)).toMatchObject({ kind: 'stale', state: { pid: 4242 } });
    expect(readDaemonState(dir, () => true)).toMatchObject({ kind: 'running', state: { pid: 4242, restUrl: 'http://127.0.0.1:2' } });
  });
});

describe('progressPrinter', () => {
  const p = (done: number, phase: CollectProgress['phase'] = 'main'): CollectProgress => ({
    dataset: 'quotes', phase, done, total: 10, collected: done, notFound: 0, skipped: 0, recovered: 0, code: '005930', elapsedMs: 0, requests: done, requestsPerSec: 1,
  });

  it('off a terminal: at most one line per interval, and always the last one and each phase change', () => {
    let now = 0;
    const lines: string[] = [];
    const printer = progressPrinter({ write: (s: string) => lines.push(s) }, () => now, 2_000);
    printer.update(p(1));
    now = 500;
    printer.update(p(2)); // throttled
    now = 2_100;
    printer.update(p(3));
    now = 2_200;
    printer.update(p(10)); // last: always
    printer.update(p(1, 'final-pass')); // phase change: always
    printer.end();
    expect(lines.map((l) => l.split(' ')[0] + ' ' + l.split(' ')[1])).toEqual(['quotes 1/10', 'quotes 3/10', 'quotes 10/10', 'quotes [final']);
    expect(lines.every((l) => l.endsWith('\n'))).toBe(true);
  });

  it('on a terminal: rewrites one line and ends it with a newline', () => {
    const chunks: string[] = [];
    const printer = progressPrinter({ write: (s: string) => chunks.push(s), isTTY: true }, () => 0);
    printer.update(p(10));
    printer.end();
    expect(chunks[0]).toMatch(/^\r\x1b\[2Kquotes 10\/10/);
    expect(chunks[1]).toBe('\n');
  });
});

describe('pacerWaitMs', () => {
  it('reads the shared pacer file: the wait left in the one-per-minute window, 0 without a file', () => {
    const dir = tmp();
    expect(pacerWaitMs(dir, 60, 1_000_000)).toEqual({ waitMs: 0 });
    writeFileSync(join(dir, 'token.last-issue.json'), JSON.stringify({ lastAttemptEpochMs: 1_000_000 - 15_000, lastAttemptKst: 'x' }));
    expect(pacerWaitMs(dir, 60, 1_000_000)).toEqual({ waitMs: 45_000, lastAttemptMs: 985_000 });
    expect(pacerWaitMs(dir, 60, 1_000_000 + 60_000).waitMs).toBe(0);
    // A clock that stepped back never waits more than one interval.
    expect(pacerWaitMs(dir, 60, 0).waitMs).toBe(60_000);
  });
});

describe('formatTaskTable', () => {
  it('aligns columns and shows the next try only for pending tasks', () => {
    const lines = formatTaskTable([
      { id: 12, fetcherName: 'kis-quotes', targetCode: '005930', taskType: 'quotes', params: undefined, errorMessage: 'network:\nreset', retryCount: 1, maxRetries: 5, status: 'pending', createdAtMs: 0, updatedAtMs: Date.UTC(2026, 10, 23, 8, 0), nextRetryAtMs: Date.UTC(2026, 10, 23, 8, 2) },
      { id: 3, fetcherName: 'kis-quotes', targetCode: '000660', taskType: 'quotes', params: undefined, errorMessage: null, retryCount: 5, maxRetries: 5, status: 'failed', createdAtMs: 0, updatedAtMs: Date.UTC(2026, 10, 23, 8, 0), nextRetryAtMs: null },
    ]);
    expect(lines[0]).toMatch(/^ID +STATUS +TASK +CODE +TRIES +NEXT TRY \(KST\) +UPDATED \(KST\) +LAST ERROR$/);
    expect(lines[1]).toMatch(/^12 +pending +quotes +005930 +1\/5 +2026-11-23 17:02:00 +2026-11-23 17:00:00 +network: reset$/);
    expect(lines[2]).toMatch(/^3 +failed +quotes +000660 +5\/5 +- +2026-11-23 17:00:00$/);
    expect(lines[1]!.indexOf('pending')).toBe(lines[2]!.indexOf('failed'));
  });

  it('shortens a long last error between words, never inside a broker code', () => {
    const message = 'unknown: KIS answered rt_cd 2 for inquire-daily-itemchartprice with msg_cd OPSQ2001 ERROR : INPUT INVALID_CHECK_ITEM_CODE';
    const cell = shortenAtWord(message, 80);
    expect(cell).toBe('unknown: KIS answered rt_cd 2 for inquire-daily-itemchartprice with msg_cd…');
    expect(shortenAtWord(message, 90)).toBe('unknown: KIS answered rt_cd 2 for inquire-daily-itemchartprice with msg_cd OPSQ2001 ERROR…');
    expect(shortenAtWord('short', 80)).toBe('short');
  });
});
