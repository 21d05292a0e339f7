// Domestic execution notice H0STCNI0 / H0STCNI9 (paper) record, 26 fields in KIS order (fact sheet §5.1).
// Callers (the simulated trading engine) pass KIS-named fields; unset ones get plausible defaults.
import { kstHms } from '../../core/kst.js';

export const EXECUTION_NOTICE_FIELD_NAMES = [
  'CUST_ID',
  'ACNT_NO',
  'ODER_NO',
  'OODER_NO',
  'SELN_BYOV_CLS',
  'RCTF_CLS',
  'ODER_KIND',
  'ODER_COND',
  'STCK_SHRN_ISCD',
  'CNTG_QTY',
  'CNTG_UNPR',
  'STCK_CNTG_HOUR',
  'RFUS_YN',
  'CNTG_YN',
  'ACPT_YN',
  'BRNC_NO',
  'ODER_QTY',
  'ACNT_NAME',
  'ORD_COND_PRC',
  'ORD_EXG_GB',
  'POPUP_YN',
  'FILLER',
  'CRDT_CLS',
  'CRDT_LOAN_DATE',
  'CNTG_ISNM40',
  'ODER_PRC',
] as const;

export const H0STCNI0_FIELD_COUNT = EXECUTION_NOTICE_FIELD_NAMES.length; // 26

export type ExecutionNoticeFieldName = (typeof EXECUTION_NOTICE_FIELD_NAMES)[number];

/**
 * One notice, keyed by the KIS field names. Required: the order number, side (SELN_BYOV_CLS 01 sell /
 * 02 buy), code, CNTG_YN (1 ack of order/revise/cancel/reject, 2 fill) and CNTG_QTY/CNTG_UNPR (on an ack
 * they carry the order quantity/price). Everything else defaults (see executionNoticeRecord).
 */
export type ExecutionNoticeFields = Partial<Record<ExecutionNoticeFieldName, string>> &
  Required<Pick<Record<ExecutionNoticeFieldName, string>, 'ODER_NO' | 'SELN_BYOV_CLS' | 'STCK_SHRN_ISCD' | 'CNTG_YN' | 'CNTG_QTY' | 'CNTG_UNPR'>>;

export interface NoticeDefaults {
  /** HTS id of the subscriber (CUST_ID). */
  htsId: string;
  /** "CANO-ACNT_PRDT_CD" of the app; ACNT_NO defaults to its 10 digits. */
  accountNo?: string;
  /** Stock name for CNTG_ISNM40. */
  stockName?: string;
  nowMs: number;
}

/** The 26 fields in order. Throws if a value contains a frame separator (`^` or `|`). */
export function executionNoticeRecord(fields: ExecutionNoticeFields, defaults: NoticeDefaults): string[] {
  const fallback: Record<ExecutionNoticeFieldName, string> = {
    CUST_ID: defaults.htsId,
    ACNT_NO: (defaults.accountNo ?? '').replace(/[^0-9]/g, ''),
    ODER_NO: fields.ODER_NO,
    OODER_NO: '',
    SELN_BYOV_CLS: fields.SELN_BYOV_CLS,
    RCTF_CLS: '0',
    ODER_KIND: '00',
    ODER_COND: '0',
    STCK_SHRN_ISCD: fields.STCK_SHRN_ISCD,
    CNTG_QTY: fields.CNTG_QTY,
    CNTG_UNPR: fields.CNTG_UNPR,
    STCK_CNTG_HOUR: kstHms(defaults.nowMs),
    RFUS_YN: '0',
    CNTG_YN: fields.CNTG_YN,
    ACPT_YN: '2',
    BRNC_NO: '01790',
    ODER_QTY: fields.CNTG_QTY,
    ACNT_NAME: 'SIMULATED',
    ORD_COND_PRC: '0',
    ORD_EXG_GB: '1',
    POPUP_YN: 'N',
    FILLER: '',
    CRDT_CLS: '10',
    CRDT_LOAN_DATE: '',
    CNTG_ISNM40: defaults.stockName ?? '',
    ODER_PRC: fields.CNTG_UNPR,
  };
  return EXECUTION_NOTICE_FIELD_NAMES.map((name) => {
    const value = fields[name] ?? fallback[name];
    if (value.includes('^') || value.includes('|')) throw new Error(`notice field ${name} contains a separator`);
    return value;
  });
}
