import { mkdtemp, readFile, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/alerts/types.js';
import { kstInstant } from '../../../src/core/kst.js';
import { KillSwitch, killSwitchPath } from '../../../src/trade/risk/kill-switch.js';
import { compileRiskLimits } from '../../../src/trade/risk/risk-limits.js';
import { RiskGate } from '../../../src/trade/risk/risk-gate.js';
import type { RiskView } from '../../../src/trade/risk/risk-types.js';
import { createFakeClock, type FakeClock } from '../../helpers/fake-clock.js';

const log = pino({ level: 'silent' });

interface Book {
  held: Record<string, { qty: number; avg: number }>;
  marks: Record<string, number>;
  openBuys: Record<string, number>;
  openSells: Record<string, number>;
  realized: number;
}

function view(b: Book): RiskView {
  return {
    heldQty: (s) => b.held[s]?.qty ?? 0,
    avgPrice: (s) => b.held[s]?.avg ?? 0,
    symbols: () => [...new Set([...Object.keys(b.held), ...Object.keys(b.openBuys), ...Object.keys(b.openSells)])],
    markPrice: (s) => b.marks[s],
    openBuyValueKrw: (s) => b.openBuys[s] ?? 0,
    openSellQty: (s) => b.openSells[s] ?? 0,
    realizedTodayKrw: () => b.realized,
  };
}

const emptyBook = (): Book => ({ held: {}, marks: {}, openBuys: {}, openSells: {}, realized: 0 });

let dir: string;
let clock: FakeClock;
let alerts: Alert[];
let ks: KillSwitch;
let gate: RiskGate;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kisd-risk-'));
  clock = createFakeClock('2026-11-23 10:00:00');
  alerts = [];
  ks = new KillSwitch({ stateDir: dir, clock, logger: log, alerts: { send: async (a) => void alerts.push(a) } });
  await ks.load();
  gate = new RiskGate({ clock, logger: log, killSwitch: ks, limits: { maxOrderValueKrw: 1_000_000, maxPositionValueKrw: 2_000_000, maxGrossExposureKrw: 3_000_000, maxOrdersPerMinute: 3, dailyLossLimitKrw: 100_000 } });
});

const buy = (symbol: string, qty: number, priceKrw: number) => ({ strategy: 't', symbol, side: 'buy' as const, qty, priceKrw });
const sell = (symbol: string, qty: number, priceKrw: number) => ({ strategy: 't', symbol, side: 'sell' as const, qty, priceKrw });

describe('RiskGate', () => {
  it('approves an entry inside every limit', async () => {
    expect(await gate.check(buy('005930', 10, 50_000), view(emptyBook()))).toEqual({ ok: true, kind: 'entry', valueKrw: 500_000 });
  });

  it('refuses with typed codes and reasons a person understands', async () => {
    const b = emptyBook();
    let d = await gate.check(buy('005930', 21, 50_000), view(b));
    expect(d).toMatchObject({ ok: false, code: 'max-order-value' });
    expect(!d.ok && d.reason).toBe('order value 1,050,000 KRW (21 × 50,000 KRW) exceeds the 1,000,000 KRW limit per order');

    b.held['005930'] = { qty: 30, avg: 50_000 };
    b.marks['005930'] = 55_000; // 1,650,000 held at mark
    d = await gate.check(buy('005930', 10, 50_000), view(b));
    expect(d).toMatchObject({ ok: false, code: 'max-position', details: { exposureKrw: 2_150_000 } });

    b.held['000660'] = { qty: 10, avg: 100_000 }; // 1,000,000 at cost (no mark)
    b.openBuys['035420'] = 400_000;
    d = await gate.check(buy('051910', 2, 100_000), view(b)); // 1,650,000 + 1,000,000 + 400,000 + 200,000
    expect(d).toMatchObject({ ok: false, code: 'gross-exposure', details: { grossKrw: 3_250_000 } });

    d = await gate.check(buy('051910', 1.5, 100_000), view(emptyBook()));
    expect(d).toMatchObject({ ok: false, code: 'invalid-order' });
    d = await gate.check(buy('051910', 1, Number.NaN), view(emptyBook()));
    expect(d).toMatchObject({ ok: false, code: 'invalid-order' });
  });

  it('treats a sell within the sellable quantity as an exit and refuses an oversell', async () => {
    const b = emptyBook();
    b.held['005930'] = { qty: 10, avg: 50_000 };
    b.openSells['005930'] = 4;
    // an exit is judged by nothing but the sellable quantity: even 6 × 1,000,000 passes the value limit
    expect(await gate.check(sell('005930', 6, 1_000_000), view(b))).toMatchObject({ ok: true, kind: 'exit' });
    const d = await gate.check(sell('005930', 7, 50_000), view(b));
    expect(d).toMatchObject({ ok: false, code: 'oversell', details: { sellable: 6 } });
  });

  it('bounds a strategy\'s sell by its own quantity (minus its own open sells), not by the whole account', async () => {
    const b = { ...emptyBook(), held: { '005930': { qty: 500, avg: 40_000 } } };
    const d = await gate.check({ ...sell('005930', 20, 50_000), strategySellableQty: 19 }, view(b));
    expect(d).toMatchObject({ ok: false, code: 'oversell', details: { sellable: 19 } });
    expect(await gate.check({ ...sell('005930', 19, 50_000), strategySellableQty: 19 }, view(b))).toMatchObject({ ok: true, kind: 'exit' });
    // The account bound still applies when it is the smaller one.
    expect(await gate.check({ ...sell('005930', 19, 50_000), strategySellableQty: 19 }, view({ ...b, held: { '005930': { qty: 10, avg: 1 } } }))).toMatchObject({ ok: false, code: 'oversell' });
  });

  it('limits entries per rolling minute on the monotonic clock, exits exempt', async () => {
    for (let i = 0; i < 3; i++) expect((await gate.check(buy('005930', 1, 50_000), view(emptyBook()))).ok).toBe(true);
    const d = await gate.check(buy('005930', 1, 50_000), view(emptyBook()));
    expect(d).toMatchObject({ ok: false, code: 'order-rate' });
    expect(!d.ok && d.reason).toContain('next allowed in 60 s');
    const held = emptyBook();
    held.held['005930'] = { qty: 1, avg: 1 };
    expect((await gate.check(sell('005930', 1, 50_000), view(held))).ok).toBe(true);
    await clock.tickAsync(59_999);
    expect((await gate.check(buy('005930', 1, 50_000), view(emptyBook()))).ok).toBe(false);
    await clock.tickAsync(1);
    expect((await gate.check(buy('005930', 1, 50_000), view(emptyBook()))).ok).toBe(true);
  });

  it('trips the kill switch at the daily loss limit: entries refused, exits allowed, one CRITICAL alert, persisted', async () => {
    const b = emptyBook();
    b.realized = -60_000;
    b.held['005930'] = { qty: 10, avg: 50_000 };
    b.marks['005930'] = 46_000; // unrealized −40,000 → total −100,000 = the limit
    const d = await gate.check(buy('000660', 1, 10_000), view(b));
    expect(d).toMatchObject({ ok: false, code: 'kill-switch' });
    expect(ks.isTripped()).toBe(true);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ level: 'CRITICAL', key: 'kill-switch:20261123' });
    expect(alerts[0]!.what).toContain('daily loss 100,000 KRW reached the 100,000 KRW limit');
    expect((await gate.check(sell('005930', 10, 46_000), view(b))).ok).toBe(true);
    await gate.check(buy('000660', 1, 10_000), view(b));
    expect(alerts).toHaveLength(1); // idempotent

    // a restart restores it
    const again = new KillSwitch({ stateDir: dir, clock, logger: log });
    await again.load();
    expect(again.isTripped()).toBe(true);
    const gate2 = new RiskGate({ clock, logger: log, killSwitch: again });
    expect(await gate2.check(buy('000660', 1, 10_000), view(emptyBook()))).toMatchObject({ ok: false, code: 'kill-switch' });

    // the next KST day clears it
    clock.setSystemTime(kstInstant('2026-11-24 08:00:00'));
    expect(again.isTripped()).toBe(false);
    expect((await gate2.check(buy('000660', 1, 10_000), view(emptyBook()))).ok).toBe(true);
  });

  it('an operator reset clears the trip and is recorded', async () => {
    await ks.trip('manual test');
    expect(ks.isTripped()).toBe(true);
    await ks.reset('ops@example');
    expect(ks.isTripped()).toBe(false);
    const saved = JSON.parse(await readFile(killSwitchPath(dir), 'utf8')) as Record<string, unknown>;
    expect(saved).toMatchObject({ tripped: false, resetBy: 'ops@example', reason: 'manual test' });
  });

  it('fails closed on a corrupt state file: quarantined, tripped, alerted', async () => {
    await writeFile(killSwitchPath(dir), '{"tripped": tr');
    const got: Alert[] = [];
    const k = new KillSwitch({ stateDir: dir, clock, logger: log, alerts: { send: async (a) => void got.push(a) } });
    await k.load();
    expect(k.isTripped()).toBe(true);
    expect(got[0]?.level).toBe('CRITICAL');
    expect((await readdir(dir)).some((n) => n.startsWith('kill-switch.json.corrupt-'))).toBe(true);
  });

  it('rejects inconsistent limits at compile time', () => {
    expect(() => compileRiskLimits({ maxOrderValueKrw: 0 })).toThrow(/maxOrderValueKrw must be a positive number/);
    expect(() => compileRiskLimits({ maxOrderValueKrw: 5, maxPositionValueKrw: 4 })).toThrow(/must not exceed/);
  });
});
