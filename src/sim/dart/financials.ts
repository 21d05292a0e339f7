// Key accounts (fnlttSinglAcnt) and the company overview (company.json) of a simulated filer, deterministic
// per filer and period: revenue is scaled off the KIS universe's market size of the listing, a fixed margin
// and a seeded yearly drift. A report's accounts exist once its periodic filing has appeared (disclosure-feed.ts).
import { hash32, mulberry32 } from '../market/prng.js';
import { ceoNameOf, type DartFiler } from './dart-universe.js';

const ACCOUNTS_BS = ['유동자산', '비유동자산', '자산총계', '유동부채', '비유동부채', '부채총계', '자본금', '이익잉여금', '자본총계'] as const;
const ACCOUNTS_IS = ['매출액', '영업이익', '법인세차감전 순이익', '당기순이익'] as const;
/** Fraction of the year a cumulative report covers. */
const COVERAGE: Readonly<Record<string, number>> = { '11013': 0.25, '11012': 0.5, '11014': 0.75, '11011': 1 };
const PERIOD_END: Readonly<Record<string, string>> = { '11013': '03.31', '11012': '06.30', '11014': '09.30', '11011': '12.31' };

/** "1,234,567" — DART writes amounts with thousands separators. */
export function dartAmountText(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

interface YearFigures {
  revenue: number;
  operating: number;
  pretax: number;
  net: number;
  assets: number;
  liabilities: number;
  capital: number;
}

function yearFigures(filer: DartFiler, year: number): YearFigures {
  const sym = filer.symbol;
  const cap = sym ? sym.basePrice * sym.listedShares : 50_000_000_000;
  const base = cap * (0.4 + 1.6 * (hash32(`rev:${filer.corpCode}`) / 4294967296));
  const drift = mulberry32(hash32(`yr:${filer.corpCode}:${year}`))();
  const revenue = base * (0.85 + 0.3 * drift) * (1 + 0.03 * (year - 2020));
  const margin = 0.02 + 0.15 * (hash32(`mgn:${filer.corpCode}`) / 4294967296);
  const operating = revenue * margin * (0.7 + 0.6 * drift);
  const pretax = operating * 0.95;
  const net = pretax * 0.76;
  const assets = revenue * (1.1 + (hash32(`ast:${filer.corpCode}`) % 100) / 100);
  const liabilities = assets * (0.3 + (hash32(`lia:${filer.corpCode}`) % 40) / 100);
  const capital = sym ? sym.listedShares * 500 : 5_000_000_000;
  return { revenue, operating, pretax, net, assets, liabilities, capital };
}

/** list[] rows of fnlttSinglAcnt for one report: CFS then OFS, balance sheet then income statement. */
export function keyAccountRows(filer: DartFiler, bsnsYear: number, reprtCode: string, rceptNo: string): Record<string, string>[] {
  const share = COVERAGE[reprtCode] ?? 1;
  const cur = yearFigures(filer, bsnsYear);
  const prev = yearFigures(filer, bsnsYear - 1);
  const before = yearFigures(filer, bsnsYear - 2);
  const annual = reprtCode === '11011';
  const end = PERIOD_END[reprtCode] ?? '12.31';
  const rows: Record<string, string>[] = [];
  let ord = 1;
  for (const [fsDiv, fsNm, scale] of [['CFS', '연결재무제표', 1], ['OFS', '재무제표', 0.8]] as const) {
    const bs = (f: YearFigures): Record<(typeof ACCOUNTS_BS)[number], number> => ({
      유동자산: f.assets * 0.45 * scale,
      비유동자산: f.assets * 0.55 * scale,
      자산총계: f.assets * scale,
      유동부채: f.liabilities * 0.6 * scale,
      비유동부채: f.liabilities * 0.4 * scale,
      부채총계: f.liabilities * scale,
      자본금: f.capital,
      이익잉여금: (f.assets - f.liabilities) * scale - f.capital,
      자본총계: (f.assets - f.liabilities) * scale,
    });
    const is = (f: YearFigures, k: number): Record<(typeof ACCOUNTS_IS)[number], number> => ({ 매출액: f.revenue * scale * k, 영업이익: f.operating * scale * k, '법인세차감전 순이익': f.pretax * scale * k, 당기순이익: f.net * scale * k });
    const common = { rcept_no: rceptNo, reprt_code: reprtCode, bsns_year: String(bsnsYear), corp_code: filer.corpCode, stock_code: filer.stockCode ?? '', fs_div: fsDiv, fs_nm: fsNm, currency: 'KRW' };
    for (const name of ACCOUNTS_BS) {
      rows.push({
        ...common,
        sj_div: 'BS',
        sj_nm: '재무상태표',
        account_nm: name,
        thstrm_nm: `제 ${bsnsYear - 1969} 기${annual ? '' : ` ${reprtCode === '11012' ? '반기말' : '분기말'}`}`,
        thstrm_dt: `${bsnsYear}.${end} 현재`,
        thstrm_amount: dartAmountText(bs(cur)[name]),
        frmtrm_nm: `제 ${bsnsYear - 1970} 기말`,
        frmtrm_dt: `${bsnsYear - 1}.12.31 현재`,
        frmtrm_amount: dartAmountText(bs(prev)[name]),
        ...(annual ? { bfefrmtrm_nm: `제 ${bsnsYear - 1971} 기말`, bfefrmtrm_dt: `${bsnsYear - 2}.12.31 현재`, bfefrmtrm_amount: dartAmountText(bs(before)[name]) } : {}),
        ord: String(ord++),
      });
    }
    for (const name of ACCOUNTS_IS) {
      rows.push({
        ...common,
        sj_div: 'IS',
        sj_nm: '손익계산서',
        account_nm: name,
        thstrm_nm: `제 ${bsnsYear - 1969} 기`,
        thstrm_dt: `${bsnsYear}.01.01 ~ ${bsnsYear}.${end}`,
        // Quarterly reports: the quarter alone, and the year to date in thstrm_add_amount.
        thstrm_amount: dartAmountText(is(cur, annual ? 1 : 0.25)[name]),
        ...(annual ? {} : { thstrm_add_amount: dartAmountText(is(cur, share)[name]) }),
        frmtrm_nm: `제 ${bsnsYear - 1970} 기`,
        frmtrm_dt: `${bsnsYear - 1}.01.01 ~ ${bsnsYear - 1}.${end}`,
        frmtrm_amount: dartAmountText(is(prev, annual ? 1 : 0.25)[name]),
        ...(annual ? { bfefrmtrm_nm: `제 ${bsnsYear - 1971} 기`, bfefrmtrm_dt: `${bsnsYear - 2}.01.01 ~ ${bsnsYear - 2}.12.31`, bfefrmtrm_amount: dartAmountText(is(before, 1)[name]) } : {}),
        ord: String(ord++),
      });
    }
  }
  return rows;
}

/** company.json fields (status/message added by the route). */
export function companyFields(filer: DartFiler): Record<string, string> {
  const h = hash32(`co:${filer.corpCode}`);
  const digits = (n: number, len: number): string => String(n % 10 ** len).padStart(len, '0');
  return {
    corp_code: filer.corpCode,
    corp_name: filer.corpName,
    corp_name_eng: filer.corpNameEng,
    stock_name: filer.stockCode ? filer.corpName : '',
    stock_code: filer.stockCode ?? '',
    ceo_nm: ceoNameOf(filer),
    corp_cls: filer.corpCls,
    jurir_no: `1101${digits(h, 9)}`,
    bizr_no: digits(hash32(`bizr:${filer.corpCode}`), 10),
    adres: `서울특별시 ${['중구', '강남구', '영등포구', '종로구', '서초구'][h % 5]} 세종대로 ${1 + (h % 200)}`,
    hm_url: `www.${filer.stockCode ?? filer.corpCode}.example.co.kr`,
    ir_url: '',
    phn_no: `02-${digits(h >>> 4, 4)}-${digits(h >>> 12, 4)}`,
    fax_no: `02-${digits(h >>> 6, 4)}-${digits(h >>> 14, 4)}`,
    induty_code: digits(26000 + (h % 6000), 5),
    est_dt: `19${50 + (h % 45)}${digits(1 + ((h >>> 3) % 12), 2)}${digits(1 + ((h >>> 7) % 28), 2)}`,
    acc_mt: '12',
  };
}
