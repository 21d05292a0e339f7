// KIS realtime WebSocket wire format: TR ids, field tables and control-message shapes
// (fact sheet §5 / §5.1; OTA kis_auth.py, ds_ws.py, os_ws.py). Parsing lives in parse.ts.

/** Realtime TRs this client decodes. */
export const TR = {
  krTick: 'H0STCNT0',
  krBook: 'H0STASP0',
  usTick: 'HDFSCNT0',
  krNotice: 'H0STCNI0',
  krNoticePaper: 'H0STCNI9',
  pingpong: 'PINGPONG',
} as const;

/** tr_type of a subscribe message: "1" register, "2" release (an OTA docstring says "0"; the code sends "2"). */
export type TrType = '1' | '2';

/** H0STCNT0 domestic tick: 46 fields (OTA ds_ws.py ccnl_krx; PK agrees). */
export const KR_TICK_FIELDS = [
  'MKSC_SHRN_ISCD', 'STCK_CNTG_HOUR', 'STCK_PRPR', 'PRDY_VRSS_SIGN', 'PRDY_VRSS', 'PRDY_CTRT',
  'WGHN_AVRG_STCK_PRC', 'STCK_OPRC', 'STCK_HGPR', 'STCK_LWPR', 'ASKP1', 'BIDP1', 'CNTG_VOL',
  'ACML_VOL', 'ACML_TR_PBMN', 'SELN_CNTG_CSNU', 'SHNU_CNTG_CSNU', 'NTBY_CNTG_CSNU', 'CTTR',
  'SELN_CNTG_SMTN', 'SHNU_CNTG_SMTN', 'CCLD_DVSN', 'SHNU_RATE', 'PRDY_VOL_VRSS_ACML_VOL_RATE',
  'OPRC_HOUR', 'OPRC_VRSS_PRPR_SIGN', 'OPRC_VRSS_PRPR', 'HGPR_HOUR', 'HGPR_VRSS_PRPR_SIGN',
  'HGPR_VRSS_PRPR', 'LWPR_HOUR', 'LWPR_VRSS_PRPR_SIGN', 'LWPR_VRSS_PRPR', 'BSOP_DATE',
  'NEW_MKOP_CLS_CODE', 'TRHT_YN', 'ASKP_RSQN1', 'BIDP_RSQN1', 'TOTAL_ASKP_RSQN', 'TOTAL_BIDP_RSQN',
  'VOL_TNRT', 'PRDY_SMNS_HOUR_ACML_VOL', 'PRDY_SMNS_HOUR_ACML_VOL_RATE', 'HOUR_CLS_CODE',
  'MRKT_TRTM_CLS_CODE', 'VI_STND_PRC',
] as const;

function levels(prefix: string): string[] {
  return Array.from({ length: 10 }, (_, i) => `${prefix}${i + 1}`);
}

/** H0STASP0 domestic 10-level order book: 59 fields (OTA ds_ws.py asking_price_krx). */
export const KR_BOOK_FIELDS: readonly string[] = [
  'MKSC_SHRN_ISCD', 'BSOP_HOUR', 'HOUR_CLS_CODE',
  ...levels('ASKP'), ...levels('BIDP'), ...levels('ASKP_RSQN'), ...levels('BIDP_RSQN'),
  'TOTAL_ASKP_RSQN', 'TOTAL_BIDP_RSQN', 'OVTM_TOTAL_ASKP_RSQN', 'OVTM_TOTAL_BIDP_RSQN',
  'ANTC_CNPR', 'ANTC_CNQN', 'ANTC_VOL', 'ANTC_CNTG_VRSS', 'ANTC_CNTG_VRSS_SIGN', 'ANTC_CNTG_PRDY_CTRT',
  'ACML_VOL', 'TOTAL_ASKP_RSQN_ICDC', 'TOTAL_BIDP_RSQN_ICDC', 'OVTM_TOTAL_ASKP_ICDC',
  'OVTM_TOTAL_BIDP_ICDC', 'STCK_DEAL_CLS_CODE',
];

/**
 * HDFSCNT0 overseas tick: 26 fields starting with RSYM (OTA legacy/Sample01/kis_ovrseastk_ws.py; PK).
 * Beware: OTA os_ws.py lists only 25 names (it omits RSYM, so every name there is off by one);
 * real frames start with RSYM, e.g. "DNASAAPL".
 */
export const US_TICK_FIELDS = [
  'RSYM', 'SYMB', 'ZDIV', 'TYMD', 'XYMD', 'XHMS', 'KYMD', 'KHMS', 'OPEN', 'HIGH', 'LOW', 'LAST',
  'SIGN', 'DIFF', 'RATE', 'PBID', 'PASK', 'VBID', 'VASK', 'EVOL', 'TVOL', 'TAMT',
  'BIVL', 'ASVL', 'STRN', 'MTYP',
] as const;

/** H0STCNI0 / H0STCNI9 domestic execution notice: 26 fields, AES-256-CBC encrypted (OTA ds_ws.py ccnl_notice). */
export const KR_NOTICE_FIELDS = [
  'CUST_ID', 'ACNT_NO', 'ODER_NO', 'OODER_NO', 'SELN_BYOV_CLS', 'RCTF_CLS', 'ODER_KIND', 'ODER_COND',
  'STCK_SHRN_ISCD', 'CNTG_QTY', 'CNTG_UNPR', 'STCK_CNTG_HOUR', 'RFUS_YN', 'CNTG_YN', 'ACPT_YN',
  'BRNC_NO', 'ODER_QTY', 'ACNT_NAME', 'ORD_COND_PRC', 'ORD_EXG_GB', 'POPUP_YN', 'FILLER',
  'CRDT_CLS', 'CRDT_LOAN_DATE', 'CNTG_ISNM40', 'ODER_PRC',
] as const;

/** Field count per decodable TR. */
export const FIELD_COUNT: Readonly<Record<string, number>> = {
  [TR.krTick]: KR_TICK_FIELDS.length,
  [TR.krBook]: KR_BOOK_FIELDS.length,
  [TR.usTick]: US_TICK_FIELDS.length,
  [TR.krNotice]: KR_NOTICE_FIELDS.length,
  [TR.krNoticePaper]: KR_NOTICE_FIELDS.length,
};

/** Field names per decodable TR (for debugging and `toNamedRecord`). */
export const FIELD_NAMES: Readonly<Record<string, readonly string[]>> = {
  [TR.krTick]: KR_TICK_FIELDS,
  [TR.krBook]: KR_BOOK_FIELDS,
  [TR.usTick]: US_TICK_FIELDS,
  [TR.krNotice]: KR_NOTICE_FIELDS,
  [TR.krNoticePaper]: KR_NOTICE_FIELDS,
};

/** TRs whose data frames KIS encrypts (enc flag "1"); the key/iv comes with that TR's subscribe reply. */
export const ENCRYPTED_TRS: ReadonlySet<string> = new Set([
  'H0STCNI0', 'H0STCNI9', 'H0GSCNI0', 'H0GSCNI9', 'H0IFCNI0', 'H0IFCNI9', 'H0MFCNI0', 'H0EUCNI0', 'HDFFF2C0',
]);

/** Subscribe / release request, a JSON text frame. */
export interface WsSubscribeRequest {
  header: { approval_key: string; custtype: string; tr_type: TrType; 'content-type': 'utf-8' };
  body: { input: { tr_id: string; tr_key: string } };
}

/** Builds the subscribe (tr_type "1") or release ("2") frame text. */
export function subscribeFrame(approvalKey: string, custtype: string, trType: TrType, trId: string, trKey: string): string {
  const msg: WsSubscribeRequest = {
    header: { approval_key: approvalKey, custtype, tr_type: trType, 'content-type': 'utf-8' },
    body: { input: { tr_id: trId, tr_key: trKey } },
  };
  return JSON.stringify(msg);
}

/**
 * Application-level keepalive sent every 30 s (seed 001 §4.2: `{"header": {"tr_id": "PINGPONG"}}`).
 * Deliberately without the datetime KIS puts in its own PINGPONG, so a server ping can never be mistaken
 * for the echo of ours (which the session does not answer again).
 */
export const KEEPALIVE_FRAME = JSON.stringify({ header: { tr_id: TR.pingpong } });

/** Control reply codes (fact sheet §5 table). */
export const OPSP = {
  subscribed: 'OPSP0000',
  released: 'OPSP0001',
  alreadySubscribed: 'OPSP0002',
  releaseNotFound: 'OPSP0003',
  internalError: 'OPSP0007',
  maxSubscribeOver: 'OPSP0008',
  invalidApproval: 'OPSP0011',
  invalidTrId: 'OPSP8991',
  alreadyInUse: 'OPSP8996',
} as const;

/** Raw fields of one record keyed by their names (debugging, fixtures). Unknown TRs give {}. */
export function toNamedRecord(trId: string, fields: readonly string[]): Record<string, string> {
  const names = FIELD_NAMES[trId] ?? [];
  const out: Record<string, string> = {};
  names.forEach((name, i) => {
    out[name] = fields[i] ?? '';
  });
  return out;
}
