// chk-holiday CTCA0903R (fact sheet §7): real host only, about one call a day; paged with tr_cont.
import { KIS_PATHS } from '../paths.js';
import { resolveTrId } from '../tr-ids.js';
import { parseHolidays, type MarketDay } from '../wire/holiday.js';
import { reportIssues, type EndpointContext } from './context.js';
import { assertYmd } from './quotes.js';

/** Market-day flags from bassDt (YYYYMMDD) onwards, all pages. Throws KisUnsupportedError in paper mode. */
export async function chkHoliday(ctx: EndpointContext, bassDt: string, signal?: AbortSignal): Promise<MarketDay[]> {
  assertYmd(bassDt, 'bassDt');
  const trId = resolveTrId('chkHoliday', ctx.client.mode);
  const pages = await ctx.client.requestAllPages(
    { method: 'GET', path: KIS_PATHS.chkHoliday, trId, params: { BASS_DT: bassDt, CTX_AREA_NK: '', CTX_AREA_FK: '' } },
    { cursorKeys: ['CTX_AREA_FK', 'CTX_AREA_NK'] },
    signal,
  );
  const byDate = new Map<string, MarketDay>();
  for (const p of pages) for (const d of reportIssues(ctx, trId, parseHolidays(p.body))) byDate.set(d.date, d);
  return [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : 1));
}
