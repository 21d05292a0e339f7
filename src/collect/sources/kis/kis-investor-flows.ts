// Investor flows fetcher on KIS inquire-investor (FHKST01010900): one symbol → its recent days of net
// buying by individuals, foreigners and institutions. Rows KIS leaves blank (today's row before the
// close) are dropped rather than stored as zeros; params.date keeps only that "YYYYMMDD".
import type { InvestorFlowRow } from '../../../store/investor-flows-repo.js';
import { createBaseFetcher } from '../../base-fetcher.js';
import { NotFoundError } from '../../fetch-errors.js';
import type { Fetcher } from '../../fetcher.js';
import type { KisFetcherOptions } from './kis-daily-bars.js';

export function createKisInvestorFlowsFetcher(opts: KisFetcherOptions): Fetcher<InvestorFlowRow> {
  return createBaseFetcher<InvestorFlowRow>({
    name: 'kis-investor-flows',
    clock: opts.clock,
    logger: opts.logger,
    retry: opts.retry,
    renewToken: opts.renewToken,
    async fetchOne(code, ctx) {
      const only = typeof ctx.params?.['date'] === 'string' ? ctx.params['date'] : undefined;
      const days = await opts.api.inquireInvestor(code, { signal: ctx.signal, priority: 'bulk' });
      const rows: InvestorFlowRow[] = [];
      for (const d of days) {
        if (only !== undefined && d.date !== only) continue;
        const nets = [d.individualNetQty, d.individualNetAmount, d.foreignNetQty, d.foreignNetAmount, d.institutionNetQty, d.institutionNetAmount];
        if (nets.some((v) => v === null)) continue;
        rows.push({
          symbol: code,
          date: d.date,
          personNetQty: d.individualNetQty as number,
          personNetAmount: d.individualNetAmount as number,
          foreignNetQty: d.foreignNetQty as number,
          foreignNetAmount: d.foreignNetAmount as number,
          institutionNetQty: d.institutionNetQty as number,
          institutionNetAmount: d.institutionNetAmount as number,
        });
      }
      if (rows.length === 0) throw new NotFoundError(`no complete investor-flow rows for ${code}${only ? ` on ${only}` : ''}`);
      return rows;
    },
  });
}
