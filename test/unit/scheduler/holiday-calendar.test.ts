// Trading calendar: KIS answers cached on disk per year; on failure the cache, then weekdays minus configured holidays.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HolidayCalendar } from '../../../src/scheduler/holiday-calendar.js';
import { createFakeClock } from '../../helpers/fake-clock.js';
import { FakeHolidaySource, memoryLogger, tempDir } from './fake-world.js';

describe('HolidayCalendar', () => {
  it('uses KIS answers, caches them atomically per year, and answers from the cache when KIS fails', async () => {
    const dataDir = await tempDir();
    const clock = createFakeClock('2026-12-21 05:30:00');
    const source = new FakeHolidaySource(['20261225']);
    const { logger } = memoryLogger();
    const cal = new HolidayCalendar({ dataDir }, source, clock, logger);
    expect(await cal.refresh()).toBe('kis');
    expect(cal.isKrTradingDay('20261224')).toBe(true);
    expect(cal.isKrTradingDay('20261225')).toBe(false);
    expect(cal.isKrTradingDay('20261226')).toBe(false); // Saturday
    const cached = JSON.parse(await fs.readFile(join(dataDir, 'calendar', 'kr-2026.json'), 'utf8'));
    expect(cached.days['20261225']).toBe(false);
    expect(Object.keys(JSON.parse(await fs.readFile(join(dataDir, 'calendar', 'kr-2027.json'), 'utf8')).days)[0]).toBe('20270101');

    const failing = new FakeHolidaySource();
    failing.failing = true;
    const { logger: log2, lines } = memoryLogger();
    const again = new HolidayCalendar({ dataDir }, failing, clock, log2);
    expect(await again.refresh()).toBe('cache');
    expect(again.isKrTradingDay('20261225')).toBe(false);
    expect(lines.some((l) => l.msg.startsWith('KIS holiday check failed; answering from the on-disk cache'))).toBe(true);
  });

  it('falls back to weekdays minus the configured holidays, and quarantines a corrupt cache', async () => {
    const dataDir = await tempDir();
    await fs.mkdir(join(dataDir, 'calendar'), { recursive: true });
    await fs.writeFile(join(dataDir, 'calendar', 'kr-2026.json'), '{"year":2026,"days":');
    const clock = createFakeClock('2026-12-21 05:30:00');
    const source = new FakeHolidaySource();
    source.failing = true;
    const { logger, lines } = memoryLogger();
    const cal = new HolidayCalendar({ dataDir, krHolidays: ['20261225', '20261231'] }, source, clock, logger);
    expect(await cal.refresh()).toBe('fallback');
    expect(cal.answeringFrom()).toBe('fallback');
    expect(cal.isKrTradingDay('20261224')).toBe(true);
    expect(cal.isKrTradingDay('20261225')).toBe(false);
    expect(cal.isKrTradingDay('20261227')).toBe(false);
    expect(cal.isKrTradingDay('20261231')).toBe(false);
    expect(cal.isKrTradingDay('garbage')).toBe(false);
    expect((await fs.readdir(join(dataDir, 'calendar'))).some((n) => n.startsWith('kr-2026.json.corrupt-'))).toBe(true);
    expect(lines.some((l) => l.msg === 'corrupt calendar cache quarantined')).toBe(true);
  });
});
