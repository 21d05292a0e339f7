// Small fakes of the simulator contracts (src/sim/contracts.ts) for the WebSocket side's tests.
import type { SimApp, SimApprovalRegistry, SimKrQuote, SimMarket, SimUsQuote } from '../../../src/sim/contracts.js';

/** Deterministic market: the price steps with the wall second so consecutive records differ. */
export class FakeMarket implements SimMarket {
  krQuoteCalls = 0;
  private readonly kr: Record<string, { name: string; base: number }> = {
    '005930': { name: '삼성전자', base: 71_000 },
    '000660': { name: 'SK하이닉스', base: 180_000 },
    '500001': { name: 'ETN 테스트', base: 10_000 },
  };

  krCodes(): readonly string[] {
    return Object.keys(this.kr);
  }

  usSymbols(): readonly { symbol: string; exchange: 'NAS' | 'NYS' | 'AMS' }[] {
    return [{ symbol: 'AAPL', exchange: 'NAS' }];
  }

  krQuote(code: string, nowMs: number): SimKrQuote | undefined {
    this.krQuoteCalls++;
    const info = this.kr[code];
    if (!info) return undefined;
    const tick = info.base >= 100_000 ? 100 : 50;
    const step = Math.floor(nowMs / 1000) % 7;
    const price = info.base + (step - 3) * tick;
    return {
      code,
      name: info.name,
      price,
      open: info.base,
      high: info.base + 3 * tick,
      low: info.base - 3 * tick,
      prevClose: info.base - tick,
      volume: 1_000_000 + Math.floor(nowMs / 100) % 100_000,
      turnover: price * 1_000_000,
      askPrice1: price + tick,
      bidPrice1: price,
      askQty1: 1200,
      bidQty1: 900,
      tick,
      upperLimit: Math.round(info.base * 1.3),
      lowerLimit: Math.round(info.base * 0.7),
    };
  }

  usQuote(symbol: string, nowMs: number): SimUsQuote | undefined {
    if (symbol !== 'AAPL') return undefined;
    const price = 187.5 + (Math.floor(nowMs / 1000) % 5) * 0.01;
    return {
      symbol,
      exchange: 'NAS',
      price,
      open: 186,
      high: 188,
      low: 185.5,
      prevClose: 186.25,
      volume: 5_000_000,
      turnover: 937_500_000,
      bid: price - 0.01,
      ask: price + 0.01,
      bidQty: 300,
      askQty: 200,
    };
  }
}

export const APP_A: SimApp = { appKey: 'PSappkeyAAAAAAAAAAAA', appSecret: 'secretA', accountNo: '50000000-01', htsId: 'htsuserA' };
export const APP_B: SimApp = { appKey: 'PSappkeyBBBBBBBBBBBB', appSecret: 'secretB', accountNo: '50000001-01', htsId: 'htsuserB' };

/** Approval keys "approval-A" / "approval-B"; revoke() simulates expiry. */
export class FakeApprovals implements SimApprovalRegistry {
  private readonly keys = new Map<string, SimApp>([
    ['approval-A', APP_A],
    ['approval-B', APP_B],
  ]);

  appForApprovalKey(approvalKey: string): SimApp | undefined {
    return this.keys.get(approvalKey);
  }

  revoke(approvalKey: string): void {
    this.keys.delete(approvalKey);
  }
}
