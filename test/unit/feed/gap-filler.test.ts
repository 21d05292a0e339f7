// GapFiller on a fake clock with a scripted minute chart: it asks only once the gap's last minute has ended, for
// exactly the gap's minutes of every subscribed symbol; a restart resumes today's pending gaps and abandons older
// ones; a gap whose day ends while KIS keeps failing is abandoned, never left pending forever.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { kstInstant } from '../../../src/core/kst.js';
import { GapFiller, type MinuteBarLike, type MinuteChartPort } from '../../../src/feed/gap-filler.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { createFakeClock, type FakeClock } from '../../helpers/fake-clock.js';

const log = pino({ level: 'silent' });

class ScriptedChart implements MinuteChartPort {
  calls: { code: string; from: string; to: string; atMs: number }[] = [];
  failing = false;
  constructor(private readonly clock: FakeClock) {}
  fetchMinuteBars(code: string, from: string, to: string, o?: { date?: string }): Promise<MinuteBarLike[]> {
    this.calls.push({ code, from, to, atMs: this.clock.nowMs() });
    if (this.failing) return Promise.reject(new Error('KIS HTTP 503'));
    const bars: MinuteBarLike[] = [];
    for (let m = Number(from.slice(0, 2)) * 60 + Number(from.slice(2, 4)); m <= Number(to.slice(0, 2)) * 60 + Number(to.slice(2, 4)); m++) {
      const hms = `${String(Math.floor(m / 60)).padStart(2, '0')}${String(m % 60).padStart(2, '0')}00`;
      bars.push({ date: o?.date ?? '', time: hms, open: m, high: m + 1, low: m - 1, close: m, volume: m * 10 });
    }
    return Promise.resolve(bars);
  }
}

function rig(at: string): { clock: FakeClock; chart: ScriptedChart; store: Store; filler: GapFiller } {
  const clock = createFakeClock(at);
  const chart = new ScriptedChart(clock);
  const store = openStore({ path: ':memory:' });
  const filler = new GapFiller({ clock, log, source: chart, gaps: store.feedGaps, bars: store.minuteBars, symbols: () => ['005930', '000660'], random: () => 0 });
  return { clock, chart, store, filler };
}

describe('GapFiller', () => {
  it('asks for the gap\'s minutes of every symbol once its last minute has ended and settled', async () => {
    const r = rig('2026-11-23 10:08:31');
    r.filler.record({ day: '20261123', fromMs: kstInstant('2026-11-23 10:03:30'), toMs: kstInstant('2026-11-23 10:08:31'), reason: 'dead' });
    await r.clock.tickAsync(30_999); // 10:09:01.999 — the 10:08 minute has ended, its 2 s settle not yet over
    expect(r.chart.calls).toEqual([]);
    await r.clock.tickAsync(1);
    expect(r.chart.calls.map((c) => `${c.code} ${c.from}-${c.to}`)).toEqual(['005930 100300-100800', '000660 100300-100800']);
    expect(r.chart.calls[0]!.atMs).toBe(kstInstant('2026-11-23 10:09:02'));
    expect(r.store.feedGaps.onDay('20261123')[0]).toMatchObject({ status: 'filled', symbols: 2, bars: 12, attempts: 1 });
    expect(r.store.minuteBars.onDay('000660', '20261123').map((b) => b.minute)).toEqual(['100300', '100400', '100500', '100600', '100700', '100800']);
    await r.filler.stop();
    r.store.close();
  });

  it('a restart resumes today\'s pending gap and abandons an earlier day\'s', async () => {
    const r = rig('2026-11-23 11:00:00');
    const old = r.store.feedGaps.insert({ market: 'KR', day: '20261120', fromMs: kstInstant('2026-11-20 10:00'), toMs: kstInstant('2026-11-20 10:02'), reason: 'dead' }, 0);
    const today = r.store.feedGaps.insert({ market: 'KR', day: '20261123', fromMs: kstInstant('2026-11-23 10:30'), toMs: kstInstant('2026-11-23 10:31'), reason: 'restart' }, 0);
    r.filler.resumePending();
    await r.clock.tickAsync(10);
    expect(r.store.feedGaps.get(old)).toMatchObject({ status: 'abandoned', lastError: expect.stringMatching(/current day only/) as string });
    expect(r.store.feedGaps.get(today)).toMatchObject({ status: 'filled', bars: 2 });
    await r.filler.stop();
    r.store.close();
  });

  it('while KIS fails it retries with backoff; when the day ends first the gap is abandoned', async () => {
    const r = rig('2026-11-23 15:25:00');
    r.chart.failing = true;
    r.filler.record({ day: '20261123', fromMs: kstInstant('2026-11-23 15:20'), toMs: kstInstant('2026-11-23 15:25'), reason: 'remote-close' });
    await r.clock.tickAsync(9 * 3_600_000); // past midnight KST
    const gap = r.store.feedGaps.onDay('20261123')[0]!;
    expect(gap.status).toBe('abandoned');
    expect(gap.attempts).toBeGreaterThan(5);
    // Backoff: one call per attempt (the second symbol waits for the first), never a tight loop.
    expect(r.chart.calls.every((c) => c.code === '005930')).toBe(true);
    expect(r.chart.calls.length).toBe(gap.attempts);
    expect(r.chart.calls.length).toBeLessThan(9 * 60 + 10);
    await r.filler.stop();
    r.store.close();
  });
});
