// Empty parameters are dropped before sending (seed 000 §6: "" params cause sporadic errors in bulk runs),
// except the fields below, which these TRs require to be present even when blank. The only list of them.
import { KIS_PATHS } from './paths.js';

export const BLANK_FIELDS_BY_PATH: Readonly<Record<string, readonly string[]>> = {
  [KIS_PATHS.inquireBalance]: ['OFL_YN', 'CTX_AREA_FK100', 'CTX_AREA_NK100'],
  [KIS_PATHS.inquireDailyCcld]: ['PDNO', 'ORD_GNO_BRNO', 'ODNO', 'INQR_DVSN_1', 'CTX_AREA_FK100', 'CTX_AREA_NK100'],
  [KIS_PATHS.inquirePsblRvsecncl]: ['CTX_AREA_FK100', 'CTX_AREA_NK100'],
  [KIS_PATHS.overseasPrice]: ['AUTH'],
  [KIS_PATHS.chkHoliday]: ['CTX_AREA_FK', 'CTX_AREA_NK'],
  // OTA sends these blank on US orders (SLL_TYPE is "" for buys).
  [KIS_PATHS.overseasOrder]: ['CTAC_TLNO', 'MGCO_APTM_ODNO', 'SLL_TYPE'],
  [KIS_PATHS.overseasBalance]: ['CTX_AREA_FK200', 'CTX_AREA_NK200'],
  // The official samples send these blank (docs/data-sources.md).
  [KIS_PATHS.inquireTimeItemChart]: ['FID_ETC_CLS_CODE'],
  [KIS_PATHS.newsTitle]: ['FID_NEWS_OFER_ENTP_CODE', 'FID_COND_MRKT_CLS_CODE', 'FID_INPUT_ISCD', 'FID_TITL_CNTT', 'FID_INPUT_DATE_1', 'FID_INPUT_HOUR_1', 'FID_RANK_SORT_CLS_CODE', 'FID_INPUT_SRNO'],
};

export type ParamValue = string | number | null | undefined;

/**
 * Stringifies values and drops null/undefined always, and "" unless `path` lists the field as a
 * required blank. Key order is preserved (POST bodies are sent as built).
 */
export function prepareParams(path: string, params: Readonly<Record<string, ParamValue>>): Record<string, string> {
  const keepBlank = BLANK_FIELDS_BY_PATH[path] ?? [];
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === undefined) continue;
    const s = String(v);
    if (s === '' && !keepBlank.includes(k)) continue;
    out[k] = s;
  }
  return out;
}
