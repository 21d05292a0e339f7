// KIS-shaped business rejections of the simulated exchange (rt_cd "1", HTTP 200, like KIS order errors).
// Only APBK0952 is corroborated by third-party recordings; the other codes are the simulator's choice (❓)
// with messages in KIS's wording, so clients must key on rt_cd and treat msg_cd as informative.

export interface Reject {
  msgCd: string;
  msg1: string;
}

export const REJECTS = {
  /** 3P-recorded reply to an order over the cash available (PK's map also mentions APBK0656 ❓). */
  insufficientCash: { msgCd: 'APBK0952', msg1: '주문가능금액을 초과 했습니다' },
  sellOverHolding: { msgCd: 'APBK0400', msg1: '주문수량이 일반매도가능수량을 초과하였습니다.' },
  badTick: { msgCd: 'APBK0506', msg1: '주문단가가 호가단위에 맞지 않습니다.' },
  priceOutOfRange: { msgCd: 'APBK0507', msg1: '주문단가가 상하한가 범위를 벗어났습니다.' },
  zeroQuantity: { msgCd: 'APBK0574', msg1: '주문수량을 확인하여 주십시오.' },
  /** PK reads APBK0656 as "symbol not found". */
  unknownSymbol: { msgCd: 'APBK0656', msg1: '해당 종목정보가 없습니다.' },
  originalNotFound: { msgCd: 'APBK0580', msg1: '원주문번호가 존재하지 않습니다.' },
  nothingToRevise: { msgCd: 'APBK0579', msg1: '정정/취소 가능수량이 없습니다.' },
  unsupportedOrderType: { msgCd: 'APBK0589', msg1: '주문구분을 확인하여 주십시오.' },
  exchangeMismatch: { msgCd: 'APBK1664', msg1: '해외거래소코드를 확인하여 주십시오.' },
  /**
   * Outside the regular session (KRX 09:00–15:30 KST, US 09:30–16:00 New York) or on a day off. PK reads
   * APBK0919 as "market not open" for domestic orders; the simulator uses it for both venues ❓ (PK's
   * overseas code APBK1664 is already this simulator's exchange-mismatch reply).
   */
  marketClosed: { msgCd: 'APBK0919', msg1: '장운영시간이 아닙니다.' },
} as const satisfies Record<string, Reject>;

/** KIS input-validation error (rt_cd "2", e.g. "ERROR : INPUT INVALID_CHECK_ACNO" as seen in PK issue #81). */
export function inputInvalid(field: string): Reject & { rtCd: '2' } {
  return { rtCd: '2', msgCd: field === 'ACNO' ? 'OPSQ2000' : 'OPSQ2001', msg1: `ERROR : INPUT INVALID_CHECK_${field}` };
}
