// The DART simulator's filings: for every KST day, deterministic ad-hoc disclosures (about one listed filer in
// eight files something on a weekday, between 07:00 and 19:00) plus the periodic reports on their season's
// days (Q1 in mid-May, half-year in mid-August, Q3 in mid-November, the annual report in mid-March), and any a
// test injects. A filing exists only once its instant has passed on the simulator clock, so "new disclosure"
// detection can be driven by a fake clock. Receipt numbers are YYYYMMDD + block + serial in filing order.
import { keyedUnit, hash32 } from '../market/prng.js';
import { addDays, isoWeekday } from '../market/trading-calendar.js';
import type { DartFiler, DartUniverse } from './dart-universe.js';

export type DisclosureKind = 'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I' | 'J';

export interface SimDisclosure {
  rceptNo: string;
  rceptDt: string;
  /** epoch ms the filing appears */
  atMs: number;
  filer: DartFiler;
  reportNm: string;
  kind: DisclosureKind;
  flrNm: string;
  rm: string;
}

/** [report name, pblntf_ty, filed by someone else (a shareholder) rather than the company] */
const AD_HOC: readonly (readonly [string, DisclosureKind, boolean])[] = [
  ['주요사항보고서(자기주식취득결정)', 'B', false],
  ['단일판매ㆍ공급계약체결', 'I', false],
  ['임원ㆍ주요주주특정증권등소유상황보고서', 'D', true],
  ['주식등의대량보유상황보고서(일반)', 'D', true],
  ['기업설명회(IR)개최(안내공시)', 'I', false],
  ['현금ㆍ현물배당결정', 'I', false],
  ['주요사항보고서(유상증자결정)', 'B', false],
  ['최대주주등소유주식변동신고서', 'I', false],
  ['조회공시요구(풍문또는보도)에대한답변(미확정)', 'I', false],
  ['투자판단관련주요경영사항', 'I', false],
];
const HOLDERS = ['국민연금공단', '한국투자신탁운용', '미래에셋자산운용', '블랙록펀드어드바이저스', '삼성자산운용'];

/** reprt_code → [month, first day, span days, report-name template] of its filing season. */
export const PERIODIC: Readonly<Record<string, readonly [number, number, number, (y: number) => string]>> = {
  '11013': [5, 8, 8, (y) => `분기보고서 (${y}.03)`],
  '11012': [8, 7, 8, (y) => `반기보고서 (${y}.06)`],
  '11014': [11, 7, 8, (y) => `분기보고서 (${y}.09)`],
  '11011': [3, 9, 12, (y) => `사업보고서 (${y}.12)`],
};

const KST_OFFSET_MS = 9 * 3_600_000;

/** Epoch ms of KST wall time secondOfDay on day ymd (Korea keeps no daylight time). */
export function kstEpoch(ymd: number, secondOfDay: number): number {
  return Date.UTC(Math.floor(ymd / 10000), (Math.floor(ymd / 100) % 100) - 1, ymd % 100) - KST_OFFSET_MS + secondOfDay * 1000;
}

export class DisclosureFeed {
  private readonly days = new Map<number, SimDisclosure[]>();
  private readonly injected: SimDisclosure[] = [];

  constructor(
    private readonly universe: DartUniverse,
    private readonly seed: number,
  ) {}

  /** When the periodic report for (bsnsYear, reprtCode) is filed by this filer (ms), or undefined for bad codes. */
  periodicFiledAt(filer: DartFiler, bsnsYear: number, reprtCode: string): number | undefined {
    const p = PERIODIC[reprtCode];
    if (!p) return undefined;
    const [month, first, span] = p;
    const year = reprtCode === '11011' ? bsnsYear + 1 : bsnsYear;
    const h = hash32(`periodic:${filer.corpCode}:${bsnsYear}:${reprtCode}`);
    let ymd = year * 10000 + month * 100 + first + (h % span);
    while (isoWeekday(ymd) >= 6) ymd = addDays(ymd, 1);
    return kstEpoch(ymd, 15 * 3600 + ((h >>> 8) % (3 * 3600)));
  }

  /** Every filing of KST day ymd (future ones included), in filing order with receipt numbers. */
  day(ymd: number): SimDisclosure[] {
    const hit = this.days.get(ymd);
    if (hit) return hit;
    const raw: Omit<SimDisclosure, 'rceptNo'>[] = [];
    const weekday = isoWeekday(ymd) <= 5;
    const y = Math.floor(ymd / 10000);
    for (const filer of this.universe.filers) {
      if (!weekday) break;
      const listed = filer.stockCode !== null;
      const u = keyedUnit(this.seed, 0xd15c, filer.index, ymd);
      if (u < (listed ? 0.125 : 0.01)) {
        const [reportNm, kind, byHolder] = AD_HOC[Math.floor(keyedUnit(this.seed, 0xd15d, filer.index, ymd) * AD_HOC.length)] ?? AD_HOC[0]!;
        const second = 7 * 3600 + Math.floor(keyedUnit(this.seed, 0xd15e, filer.index, ymd) * 12 * 3600);
        const flrNm = byHolder ? (HOLDERS[filer.index % HOLDERS.length] ?? filer.corpName) : filer.corpName;
        raw.push({ rceptDt: String(ymd), atMs: kstEpoch(ymd, second), filer, reportNm, kind, flrNm, rm: rmOf(filer, kind) });
      }
      if (!listed) continue;
      for (const code of Object.keys(PERIODIC)) {
        if (PERIODIC[code]![0] !== Math.floor(ymd / 100) % 100) continue; // not this report's season
        const bsnsYear = code === '11011' ? y - 1 : y;
        const at = this.periodicFiledAt(filer, bsnsYear, code);
        if (at === undefined || dayOfKst(at) !== ymd) continue;
        raw.push({ rceptDt: String(ymd), atMs: at, filer, reportNm: PERIODIC[code]![3](bsnsYear), kind: 'A', flrNm: filer.corpName, rm: '연' });
      }
    }
    raw.sort((a, b) => a.atMs - b.atMs || a.filer.index - b.filer.index);
    const serial = { exchange: 0, fss: 0 };
    const list = raw.map((d) => {
      const block = d.kind === 'I' ? '80' : '00';
      const n = d.kind === 'I' ? ++serial.exchange : ++serial.fss;
      return { ...d, rceptNo: `${ymd}${block}${String(n).padStart(4, '0')}` };
    });
    if (this.days.size >= 400) this.days.clear(); // bounded; rebuilt on demand
    this.days.set(ymd, list);
    return list;
  }

  /** A test's filing, appearing at atMs (receipt numbers in the 99 block of that day). */
  inject(filer: DartFiler, reportNm: string, kind: DisclosureKind, atMs: number): SimDisclosure {
    const ymd = dayOfKst(atMs);
    const n = this.injected.filter((d) => d.rceptDt === String(ymd)).length + 1;
    const d: SimDisclosure = { rceptNo: `${ymd}99${String(n).padStart(4, '0')}`, rceptDt: String(ymd), atMs, filer, reportNm, kind, flrNm: filer.corpName, rm: rmOf(filer, kind) };
    this.injected.push(d);
    return d;
  }

  /** Filings received fromYmd..toYmd that exist at nowMs, optionally of one filer, in filing order. */
  visible(fromYmd: number, toYmd: number, nowMs: number, corpCode?: string): SimDisclosure[] {
    const today = dayOfKst(nowMs);
    const out: SimDisclosure[] = [];
    for (let ymd = fromYmd; ymd <= Math.min(toYmd, today); ymd = addDays(ymd, 1)) {
      for (const d of this.day(ymd)) if (d.atMs <= nowMs && (corpCode === undefined || d.filer.corpCode === corpCode)) out.push(d);
    }
    for (const d of this.injected) {
      const ymd = Number(d.rceptDt);
      if (ymd >= fromYmd && ymd <= toYmd && d.atMs <= nowMs && (corpCode === undefined || d.filer.corpCode === corpCode)) out.push(d);
    }
    return out.sort((a, b) => a.atMs - b.atMs || (a.rceptNo < b.rceptNo ? -1 : 1));
  }
}

function rmOf(filer: DartFiler, kind: DisclosureKind): string {
  if (kind !== 'I') return '';
  return filer.corpCls === 'Y' ? '유' : filer.corpCls === 'K' ? '코' : '';
}

/** KST calendar day (YYYYMMDD) of an instant. */
export function dayOfKst(epochMs: number): number {
  const d = new Date(epochMs + KST_OFFSET_MS);
  return d.getUTCFullYear() * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
}
