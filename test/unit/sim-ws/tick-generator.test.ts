import { describe, expect, it } from 'vitest';
import { kstInstant } from '../../../src/core/kst.js';
import { H0STASP0_FIELD_COUNT, H0STCNT0_FIELD_COUNT } from '../../../src/sim/ws/frames.js';
import { RegistrationTable } from '../../../src/sim/ws/registration-table.js';
import { TickGenerator } from '../../../src/sim/ws/tick-generator.js';
import { trTradesAt } from '../../../src/sim/ws/tr-catalog.js';
import { FakeMarket } from './fakes.js';

interface Owner {
  name: string;
  deliverable: boolean;
}
const keys = { key: 'k'.repeat(32), iv: 'i'.repeat(16) };
const NOW = kstInstant('2026-11-23 10:00:00');

function setup(recordsPerSec: number, maxRecordsPerFrame: number) {
  const table = new RegistrationTable<Owner>();
  const frames: { owner: string; trId: string; records: string[][] }[] = [];
  const gen = new TickGenerator<Owner>(
    { recordsPerSec, intervalMs: 100, maxRecordsPerFrame, market: new FakeMarket(), marketHoursOnly: false },
    () => table.all(),
    (owner, trId, records) => frames.push({ owner: owner.name, trId, records: [...records] }),
  );
  return { table, frames, gen };
}

describe('TickGenerator', () => {
  it('spends 5,000 records/s across subscriptions in frames of at most maxRecordsPerFrame', () => {
    const { table, frames, gen } = setup(5_000, 4);
    const s1 = { name: 's1', deliverable: true };
    const s2 = { name: 's2', deliverable: true };
    table.add('A', 'H0STCNT0', '005930', keys, s1);
    table.add('A', 'H0STCNT0', '000660', keys, s1);
    table.add('A', 'H0STASP0', '005930', keys, s1);
    table.add('B', 'H0STCNT0', '005930', keys, s2);
    let total = 0;
    for (let i = 1; i <= 10; i++) total += gen.step(NOW + i * 100);
    expect(total).toBe(5_000);
    expect(frames.reduce((n, f) => n + f.records.length, 0)).toBe(5_000);
    const bad: string[] = [];
    for (const f of frames) {
      if (f.records.length < 1 || f.records.length > 4) bad.push(`frame of ${f.records.length}`);
      const want = f.trId === 'H0STASP0' ? H0STASP0_FIELD_COUNT : H0STCNT0_FIELD_COUNT;
      for (const r of f.records) if (r.length !== want) bad.push(`${f.trId} record of ${r.length}`);
    }
    expect(bad).toEqual([]);
    // Round robin: every subscription gets an even share.
    const perKey = new Map<string, number>();
    for (const f of frames) for (const r of f.records) perKey.set(`${f.owner}|${f.trId}|${r[0]}`, (perKey.get(`${f.owner}|${f.trId}|${r[0]}`) ?? 0) + 1);
    expect([...perKey.values()]).toEqual([1250, 1250, 1250, 1250]);
    // One frame mixes symbols of the same TR (the client must not assume one symbol per frame).
    expect(frames.some((f) => f.trId === 'H0STCNT0' && new Set(f.records.map((r) => r[0])).size > 1)).toBe(true);
  });

  it('accumulates fractional budgets and skips undeliverable, lingering and notice registrations', () => {
    const { table, frames, gen } = setup(5, 1);
    const live = { name: 'live', deliverable: true };
    const dead = { name: 'dead', deliverable: false };
    table.add('A', 'H0STCNT0', '005930', keys, live);
    table.add('A', 'H0STCNI0', 'htsuserA', keys, live);
    table.add('B', 'H0STCNT0', '000660', keys, dead);
    const lingering = table.add('C', 'H0STCNT0', '005930', keys, live);
    table.releaseOwner(live, true, 1e12); // everything of `live` lingers…
    table.adopt(table.get('A', 'H0STCNT0', '005930')!, live); // …except the one re-subscribed
    expect(lingering.owner).toBeUndefined();
    let total = 0;
    for (let i = 1; i <= 20; i++) total += gen.step(NOW + i * 100);
    expect(total).toBe(10); // 5/s for 2 s
    expect(new Set(frames.map((f) => `${f.owner}|${f.trId}|${f.records[0]![0]}`))).toEqual(new Set(['live|H0STCNT0|005930']));
  });

  it('does not save up a burst while nobody listens', () => {
    const { table, gen } = setup(100, 4);
    for (let i = 1; i <= 50; i++) expect(gen.step(NOW + i * 100)).toBe(0);
    table.add('A', 'H0STCNT0', '005930', keys, { name: 's', deliverable: true });
    expect(gen.step(NOW + 5_100)).toBe(10);
  });

  it('skips symbols the market does not know', () => {
    const { table, frames, gen } = setup(100, 4);
    table.add('A', 'H0STCNT0', '999999', keys, { name: 's', deliverable: true });
    expect(gen.step(NOW + 100)).toBe(0);
    expect(frames).toHaveLength(0);
  });
});

describe('trTradesAt', () => {
  it.each([
    ['H0STCNT0', '2026-11-23 08:59:59', false],
    ['H0STCNT0', '2026-11-23 09:00:00', true],
    ['H0STCNT0', '2026-11-23 15:29:59', true],
    ['H0STCNT0', '2026-11-23 15:30:00', false],
    ['H0STASP0', '2026-11-23 08:30:00', true],
    ['H0STASP0', '2026-11-23 16:00:00', false],
    ['H0STCNT0', '2026-11-28 10:00:00', false], // Saturday
    ['HDFSCNT0', '2026-11-23 23:30:00', true], // 09:30 New York
    ['HDFSCNT0', '2026-11-24 10:00:00', false], // 20:00 New York
    ['HDFSCNT0', '2026-07-06 17:00:00', true], // 04:00 New York (EDT)
    ['HDFSCNT0', '2026-07-06 16:59:00', false],
    ['H0STCNI0', '2026-11-23 10:00:00', false], // not a market-data TR
  ] as const)('%s at %s KST → %s', (trId, kst, want) => {
    expect(trTradesAt(trId, kstInstant(kst))).toBe(want);
  });
});
