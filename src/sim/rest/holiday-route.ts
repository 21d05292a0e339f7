// 국내휴장일조회 chk-holiday (CTCA0903R, real server only; VTS answers MCA00124): a run of calendar days from
// BASS_DT with bzdy_yn / tr_day_yn / opnd_yn / sttl_day_yn, paged with ctx_area_nk/fk and the tr_cont header.
// ❓ The run length and page size are not documented; the simulator serves 30 days in pages of 20 so that
// clients must follow tr_cont 'M' → 'N'.
import { addDays, CALENDAR_FIRST_YMD, CALENDAR_LAST_YMD, isoWeekday, parseYmd } from '../market/exchange-calendar.js';
import { invalidInput, QUOTE_OK } from './quote-helpers.js';
import { param, type RouteDef } from './types.js';

export const HOLIDAY_RUN_DAYS = 30;
export const HOLIDAY_PAGE_DAYS = 20;

const yn = (b: boolean): string => (b ? 'Y' : 'N');

export const holidayRoute: RouteDef = {
  method: 'GET',
  path: '/uapi/domestic-stock/v1/quotations/chk-holiday',
  auth: 'token',
  trIds: { real: ['CTCA0903R'], paper: [] },
  handler(ctx) {
    const base = parseYmd(param(ctx, 'BASS_DT'));
    if (base === undefined || base < CALENDAR_FIRST_YMD || base > CALENDAR_LAST_YMD) return invalidInput('BASS_DT');
    const runEnd = addDays(base, HOLIDAY_RUN_DAYS - 1);
    // Continuation: tr_cont 'N' plus the cursor date in CTX_AREA_NK; anything else restarts at BASS_DT.
    const cursor = ctx.trCont === 'N' ? parseYmd(param(ctx, 'CTX_AREA_NK').trim()) : undefined;
    const start = cursor !== undefined && cursor > base && cursor <= runEnd ? cursor : base;
    const cal = ctx.env.market.krCalendar;
    const output: Record<string, string>[] = [];
    let day = start;
    for (let i = 0; i < HOLIDAY_PAGE_DAYS && day <= runEnd; i++, day = addDays(day, 1)) {
      const f = cal.flags(day);
      output.push({
        bass_dt: String(day),
        wday_dvsn_cd: String((isoWeekday(day) % 7) + 1).padStart(2, '0'), // 01 Sunday … 07 Saturday
        bzdy_yn: yn(f.business),
        tr_day_yn: yn(f.trading),
        opnd_yn: yn(f.open),
        sttl_day_yn: yn(f.settlement),
      });
    }
    const more = day <= runEnd;
    return {
      trCont: more ? 'M' : 'D',
      body: { ctx_area_nk: more ? String(day) : '', ctx_area_fk: more ? String(base) : '', ...QUOTE_OK, output },
    };
  },
};
