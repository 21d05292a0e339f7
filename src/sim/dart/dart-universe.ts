// The DART simulator's filers, derived from the KIS simulator's KR universe so both servers agree on codes
// and names: every common share and SPAC is a listed filer with that 6-char stock_code and name; preferred
// shares, ETFs and ETNs are not filers of their own (DART files under the company; funds are not in
// corpCode.xml with a stock code). A fixed number of unlisted filers (blank stock_code) fill out the file the
// way the real one is mostly unlisted. corp_codes are 8 digits, deterministic and unique.
import { hash32, mulberry32 } from '../market/prng.js';
import { buildUniverse, type KrSymbol } from '../market/universe.js';

export interface DartFiler {
  corpCode: string;
  corpName: string;
  corpNameEng: string;
  /** null for unlisted filers */
  stockCode: string | null;
  /** Y KOSPI, K KOSDAQ, E other (unlisted) */
  corpCls: 'Y' | 'K' | 'E';
  /** modify_date YYYYMMDD */
  modifyDate: string;
  /** the KIS-universe symbol behind a listed filer */
  symbol: KrSymbol | undefined;
  /** 0.. in file order; keys the filer's draws */
  index: number;
}

const SURNAMES = '김 이 박 최 정 강 조 윤 장 임 한 오 서 신 권 황 안 송 류 홍'.split(' ');
const GIVEN = '민준 서연 도윤 지우 하준 서준 예준 지호 수빈 현우 지민 태현 성민 영호 재원 동현 승우 정훈 상철 경수'.split(' ');

export function ceoNameOf(filer: DartFiler): string {
  const h = hash32(`ceo:${filer.corpCode}`);
  return `${SURNAMES[h % SURNAMES.length]}${GIVEN[(h >>> 8) % GIVEN.length]}`;
}

export class DartUniverse {
  readonly filers: readonly DartFiler[];
  private readonly byCorp = new Map<string, DartFiler>();
  private readonly byStock = new Map<string, DartFiler>();

  constructor(opts: { unlistedCount?: number } = {}) {
    const used = new Set<string>();
    const out: DartFiler[] = [];
    const corpCodeFor = (key: string): string => {
      let n = hash32(`corp:${key}`) % 1_000_000;
      while (used.has(`00${String(n).padStart(6, '0')}`)) n = (n + 1) % 1_000_000;
      const code = `00${String(n).padStart(6, '0')}`;
      used.add(code);
      return code;
    };
    const modified = (key: string): string => {
      const h = hash32(`mod:${key}`);
      return `20${String(17 + (h % 8)).padStart(2, '0')}${String(1 + ((h >>> 5) % 12)).padStart(2, '0')}${String(1 + ((h >>> 9) % 28)).padStart(2, '0')}`;
    };
    for (const sym of buildUniverse().kr) {
      if (sym.kind !== 'stock' && sym.kind !== 'spac') continue;
      out.push({
        corpCode: corpCodeFor(sym.code),
        corpName: sym.name,
        corpNameEng: `${sym.code} Co., Ltd.`,
        stockCode: sym.code,
        corpCls: sym.market === 'KOSPI' ? 'Y' : 'K',
        modifyDate: modified(sym.code),
        symbol: sym,
        index: out.length,
      });
    }
    const next = mulberry32(0xda27);
    const unlisted = opts.unlistedCount ?? 200;
    for (let i = 0; i < unlisted; i++) {
      const key = `unlisted:${i}`;
      out.push({
        corpCode: corpCodeFor(key),
        corpName: `${['한결', '늘봄', '다온', '새빛', '온누리'][i % 5]}${['상사', '물류', '개발', '산업', '테크'][Math.floor(next() * 5)]}${i}`,
        corpNameEng: `Unlisted ${i} Co., Ltd.`,
        stockCode: null,
        corpCls: 'E',
        modifyDate: modified(key),
        symbol: undefined,
        index: out.length,
      });
    }
    this.filers = Object.freeze(out);
    for (const f of out) {
      this.byCorp.set(f.corpCode, f);
      if (f.stockCode) this.byStock.set(f.stockCode, f);
    }
  }

  byCorpCode(corpCode: string): DartFiler | undefined {
    return this.byCorp.get(corpCode);
  }

  byStockCode(stockCode: string): DartFiler | undefined {
    return this.byStock.get(stockCode);
  }

  listed(): DartFiler[] {
    return this.filers.filter((f) => f.stockCode !== null);
  }
}
