// OpenDART in `kisd run` as a user runs it (sim mode, time travel): the daemon starts the DART simulator beside
// the embedded KIS one, restart recovery writes today's selection batch, and a disclosure filed for a watched
// symbol reaches the disclosure watch, the store and the alert dispatcher — once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openStore } from '../../../src/store/index.js';
import { writeTestConfig } from '../cli/cli-harness.js';
import { DaemonProcess, killDaemons, nextTradingDayAt, requireBuild } from './daemon-harness.js';

let day: string;
beforeAll(async () => {
  requireBuild();
  day = (await nextTradingDayAt('00:00:00')).slice(0, 10);
});
afterAll(() => killDaemons());

describe('kisd run with dart.enabled (sim mode)', () => {
  it('a disclosure filed for a watched symbol is stored and alerted once', { timeout: 120_000 }, async () => {
    const dirs = writeTestConfig({ log: { level: 'info', console: 'json' }, scheduler: { screening_universe_limit: 20 }, dart: { enabled: true, watch_interval_min: 1 } });
    const daemon = new DaemonProcess(dirs.configPath, {}, { at: `${day} 10:00:00`, speed: 30 });
    try {
      const listening = await daemon.waitFor((l) => l.msg.startsWith('DART simulator listening: '), 'the DART simulator');
      const dartUrl = listening.msg.slice('DART simulator listening: '.length);
      await daemon.ready();
      // Restart recovery runs screening and selection (10:00 is after both): today's batch lists the watched symbols.
      const batchFile = join(dirs.dataDir, 'daily_selection', 'batch_0.json');
      const batch = await vi.waitFor(() => JSON.parse(readFileSync(batchFile, 'utf8')) as { symbols: string[] }, { timeout: 60_000, interval: 250 });
      const watched = batch.symbols[0]!;
      const filed = await fetch(`${dartUrl}/__sim/disclosures`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ stock_code: watched, report_nm: '주요사항보고서(자기주식취득결정)', kind: 'B' }) });
      const { rcept_no: receiptNo } = (await filed.json()) as { rcept_no: string };
      const isOurs = (l: { [k: string]: unknown }): boolean => l['alertKey'] === `dart-disclosure:${receiptNo}`;
      const alert = await daemon.waitFor(isOurs, `the alert for ${receiptNo}`);
      expect(alert.msg).toContain('주요사항보고서(자기주식취득결정)');
      expect(alert['symbols']).toEqual([watched]);
      // Two more polls (a simulated minute = 2 real seconds each, one list.json per watched symbol): no second alert.
      const listCalls = async (): Promise<number> => ((await (await fetch(`${dartUrl}/__sim/stats`)).json()) as { byPath: Record<string, number> }).byPath['/api/list.json'] ?? 0;
      const after = await listCalls();
      await vi.waitFor(async () => expect(await listCalls()).toBeGreaterThanOrEqual(after + 2 * batch.symbols.length), { timeout: 30_000, interval: 250 });
      expect(daemon.lines.filter(isOurs)).toHaveLength(1);
    } finally {
      daemon.child.kill('SIGTERM');
      expect((await daemon.exited).code).toBe(0);
    }
    const store = openStore({ dataDir: dirs.dataDir });
    try {
      expect(store.dart.disclosuresFor(batchSymbol(dirs.dataDir)).some((d) => d.reportName === '주요사항보고서(자기주식취득결정)')).toBe(true);
    } finally {
      store.close();
    }
  });
});

function batchSymbol(dataDir: string): string {
  return (JSON.parse(readFileSync(join(dataDir, 'daily_selection', 'batch_0.json'), 'utf8')) as { symbols: string[] }).symbols[0]!;
}
