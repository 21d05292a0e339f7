// The one table of KIS tr_ids by logical name, real vs paper (fact sheet §3, §4). Paper order/account TRs
// usually swap the leading T/J/C for V, quote TRs are identical; the exceptions are spelled out here
// rather than derived, so a wrong guess cannot hide in a string rule.
import type { KisMode } from '../auth/types.js';
import { KisUnsupportedError } from './errors.js';

export interface TrIdPair {
  real: string;
  /** null: the TR does not exist on the paper (VTS) host. */
  paper: string | null;
}

export const TR_IDS = {
  // Quotes: identical on both hosts.
  domesticPrice: { real: 'FHKST01010100', paper: 'FHKST01010100' },
  domesticDailyChart: { real: 'FHKST03010100', paper: 'FHKST03010100' },
  domesticInvestor: { real: 'FHKST01010900', paper: 'FHKST01010900' },
  overseasPrice: { real: 'HHDFS00000300', paper: 'HHDFS00000300' },
  /** Real only ("모의투자 미지원"); call about once a day. */
  chkHoliday: { real: 'CTCA0903R', paper: null },

  // Domestic cash orders: current ids (OTA examples_user) and legacy ids (postman, PK) that KIS may retire.
  orderCashSell: { real: 'TTTC0011U', paper: 'VTTC0011U' },
  orderCashBuy: { real: 'TTTC0012U', paper: 'VTTC0012U' },
  orderCashSellLegacy: { real: 'TTTC0801U', paper: 'VTTC0801U' },
  orderCashBuyLegacy: { real: 'TTTC0802U', paper: 'VTTC0802U' },
  orderReviseCancel: { real: 'TTTC0013U', paper: 'VTTC0013U' },
  orderReviseCancelLegacy: { real: 'TTTC0803U', paper: 'VTTC0803U' },

  // Domestic account queries.
  inquireBalance: { real: 'TTTC8434R', paper: 'VTTC8434R' },
  /** Executions within the last 3 months (current id; legacy TTTC8001R/VTTC8001R). */
  inquireDailyCcld: { real: 'TTTC0081R', paper: 'VTTC0081R' },
  inquireDailyCcldLegacy: { real: 'TTTC8001R', paper: 'VTTC8001R' },
  /** Older than 3 months. ❓ sources disagree (CTSC9115R in postman); CTSC9215R chosen after OTA ds.py. */
  inquireDailyCcldOld: { real: 'CTSC9215R', paper: 'VTSC9215R' },
  /** Revisable orders: real only. */
  inquirePsblRvsecncl: { real: 'TTTC0084R', paper: null },

  // US orders. Paper sell is VTTT1001U, not the "swap in V" VTTT1006U (OTA docs since 885dd4e; PK agrees).
  overseasUsBuy: { real: 'TTTT1002U', paper: 'VTTT1002U' },
  overseasUsSell: { real: 'TTTT1006U', paper: 'VTTT1001U' },
  overseasUsReviseCancel: { real: 'TTTT1004U', paper: 'VTTT1004U' },
  overseasBalance: { real: 'TTTS3012R', paper: 'VTTS3012R' },

  // docs/data-sources.md. The minute chart is documented for both hosts; whether VTS serves the other three is
  // ❓ (no official sample offers a paper variant): they are sent as-is and VTS's refusal surfaces as KisApiError.
  domesticMinuteChart: { real: 'FHKST03010200', paper: 'FHKST03010200' },
  newsTitle: { real: 'FHKST01011800', paper: 'FHKST01011800' },
  investOpinion: { real: 'FHKST663300C0', paper: 'FHKST663300C0' },
  estimatePerform: { real: 'HHKST668300C0', paper: 'HHKST668300C0' },
} as const satisfies Record<string, TrIdPair>;

export type TrName = keyof typeof TR_IDS;

/** The tr_id to send for `name` in `mode`; throws KisUnsupportedError for a real-only TR on paper. */
export function resolveTrId(name: TrName, mode: KisMode): string {
  const pair: TrIdPair = TR_IDS[name];
  const id = mode === 'real' ? pair.real : pair.paper;
  if (id === null) throw new KisUnsupportedError(`${name} (${pair.real}) exists only on the real KIS host, not in paper mode`);
  return id;
}
