// A restart in the middle of the trading session with nothing done today: restart recovery collects and
// ranks (phase 1), writes the selection batches although their 07:00–09:00 window has passed (phase 2),
// and joins the session with today's selection — the strategy runner starts on the selected symbols.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Simulator } from '../../../src/sim/index.js';
import { DaemonProcess, killDaemons, nextTradingDayAt, requireBuild, startShiftedSimulator, writeTestConfig } from './daemon-harness.js';

let sim: Simulator;
let start: string;

beforeAll(async () => {
  requireBuild();
  start = await nextTradingDayAt('09:20:00');
  sim = await startShiftedSimulator(start);
});
afterAll(async () => {
  killDaemons();
  await sim?.close();
});

describe('kisd run started during the session', () => {
  it('runs screening and a late selection, then joins the session with the selected symbols', { timeout: 60_000 }, async () => {
    const codes = sim.market.krCodes().filter((c) => /^\d{6}$/.test(c)).slice(0, 60);
    const { configPath, varDir } = writeTestConfig(sim, {
      scheduler: { enabled: true, screening_symbols: codes },
      trading: { screening: { min_price_krw: 0, max_price_krw: 1e12, min_avg_turnover_krw: 0, min_score: -1e12, max_selected: 20 } },
    });
    const d = new DaemonProcess(configPath, {}, { at: start });
    try {
      const selection = await d.waitFor((l) => l.msg.startsWith('phase selection done'), 'selection recorded');
      expect(selection['detail']).toMatchObject({ batchCount: 1, written: 1, symbols: 20 });
      expect(readdirSync(join(varDir, 'data', 'daily_selection')).filter((f) => f.endsWith('.json'))).toEqual(['batch_0.json']);
      const runner = await d.waitFor((l) => l.msg.startsWith('strategy runner started'), 'strategy runner');
      expect(runner['symbols']).toBe(19); // (40 registrations − 1 for our execution notices) / 2 per symbol
      expect(d.lines.some((l) => l.msg.includes('no valid selection batch'))).toBe(false);
      // The socket moves from the configured watchlist to today's selection (+ our notices) without ever
      // exceeding the server's registration cap.
      await d.waitFor((l) => l.component === 'feed' && l['subscriptions'] === '39/39', 'selection subscribed');
      expect(d.lines.filter((l) => l['msgCd'] === 'OPSP0008')).toEqual([]);
    } finally {
      d.child.kill('SIGTERM');
      expect((await d.exited).code).toBe(0);
    }
  });
});
