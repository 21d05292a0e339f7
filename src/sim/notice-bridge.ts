// Turns the simulated exchange's events into encrypted domestic execution notices (H0STCNI0 / H0STCNI9,
// fact sheet §5.1) for the account's HTS id: an ack (CNTG_YN 1) when an order, revision or cancel is
// booked, a fill notice (CNTG_YN 2) per fill, and an IOC/FOK remainder notice (ACPT_YN 3). Day-order
// expiry sends nothing (KIS is not known to notify it ❓). US orders are skipped: the simulator does not
// serve H0GSCNI0.
import { kstHms } from '../core/kst.js';
import type { SimApp } from './contracts.js';
import type { SimExchange } from './exchange/exchange.js';
import type { ExchangeEvent, SimOrder } from './exchange/types.js';
import type { ExecutionNoticeFields } from './ws/execution-notice.js';

export interface NoticeBridgeHost {
  exchange: Pick<SimExchange, 'onEvent'>;
  apps: readonly SimApp[];
}

export interface NoticePublisher {
  publishExecutionNotice(htsId: string, notice: ExecutionNoticeFields): number;
}

export interface NoticeBridgeStats {
  published: number;
  /** Events with no subscriber for the HTS id (the frame count was 0). */
  undelivered: number;
}

/** Subscribes to sim.exchange; returns a stop function and live counters. */
export function bridgeExecutionNotices(sim: NoticeBridgeHost, simWs: NoticePublisher): { stop: () => void; stats: () => NoticeBridgeStats } {
  const stats: NoticeBridgeStats = { published: 0, undelivered: 0 };
  const htsOf = new Map(sim.apps.map((a) => [a.accountNo, a.htsId]));
  const stop = sim.exchange.onEvent((e) => {
    if (e.order.venue !== 'KR') return;
    const htsId = htsOf.get(e.order.accountNo);
    if (!htsId) return;
    const fields = noticeFieldsFor(e);
    if (!fields) return;
    const sent = simWs.publishExecutionNotice(htsId, fields);
    stats.published++;
    if (sent === 0) stats.undelivered++;
  });
  return { stop, stats: () => ({ ...stats }) };
}

/** The notice fields for one exchange event, or undefined when KIS would send none. Pure. */
export function noticeFieldsFor(e: ExchangeEvent): ExecutionNoticeFields | undefined {
  const o = e.order;
  const base = (): Omit<ExecutionNoticeFields, 'CNTG_YN' | 'CNTG_QTY' | 'CNTG_UNPR'> => ({
    ODER_NO: o.odno,
    OODER_NO: o.orgnOdno,
    SELN_BYOV_CLS: o.side === 'sell' ? '01' : '02',
    RCTF_CLS: o.kind === 'revise' ? '1' : o.kind === 'cancel' ? '2' : '0',
    ODER_KIND: o.ordDvsn,
    ODER_COND: o.ordDvsn === '11' || o.ordDvsn === '13' ? '1' : o.ordDvsn === '12' || o.ordDvsn === '14' ? '2' : '0',
    STCK_SHRN_ISCD: o.code,
    BRNC_NO: o.branch,
    ODER_QTY: String(o.qty),
    ODER_PRC: String(o.price),
    CNTG_ISNM40: o.name.replace(/[\^|]/g, ' '),
  });
  switch (e.type) {
    case 'accepted':
      return { ...base(), CNTG_YN: '1', ACPT_YN: '1', CNTG_QTY: String(o.qty), CNTG_UNPR: String(o.price), STCK_CNTG_HOUR: o.tmd };
    case 'filled':
      return { ...base(), CNTG_YN: '2', ACPT_YN: '2', CNTG_QTY: String(e.fill.qty), CNTG_UNPR: String(e.fill.price), STCK_CNTG_HOUR: kstHms(e.fill.atMs) };
    case 'cancelled':
      return e.reason === 'ioc' ? iocNotice(o, e.qty, base()) : undefined;
  }
}

function iocNotice(o: SimOrder, qty: number, b: Omit<ExecutionNoticeFields, 'CNTG_YN' | 'CNTG_QTY' | 'CNTG_UNPR'>): ExecutionNoticeFields {
  return { ...b, RCTF_CLS: '2', CNTG_YN: '1', ACPT_YN: '3', CNTG_QTY: String(qty), CNTG_UNPR: String(o.price) };
}
