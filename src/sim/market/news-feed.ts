// Synthetic headlines for the news-title route: deterministic per (symbol, KST day) — up to three a weekday and
// at most one on a weekend, between 07:00 and 20:00 — plus a few market-wide headlines a day. An article exists
// only once its time has passed on the simulator clock, so "new headline" logic can be driven by a fake clock.
import { addDays, isoWeekday } from './trading-calendar.js';
import { hash32, mulberry32 } from './prng.js';
import type { KrSymbol } from './universe.js';

export interface SimArticle {
  /** cntt_usiq_srno: YYYYMMDD + 4-digit source slot + 1-digit sequence (13 digits, like recorded ids) */
  id: string;
  ymd: string;
  hms: string;
  providerCode: string;
  source: string;
  categoryCode: string;
  title: string;
  codes: string[];
}

const PROVIDERS: readonly (readonly [code: string, source: string, category: string])[] = [
  ['6', '연합뉴스', '03'],
  ['2', '한국경제', '01'],
  ['A', '매일경제', '05'],
  ['4', '이데일리', 'S1'],
  ['5', '머니투데이', 'A01'],
];

const SYMBOL_TEMPLATES: readonly ((name: string, n: number) => string)[] = [
  (name, n) => `${name}, ${n % 4 + 1}분기 영업이익 ${100 + (n % 900)}억원…전년 대비 ${n % 60}% ${n % 2 ? '증가' : '감소'}`,
  (name, n) => `${name}, ${50 + (n % 950)}억원 규모 단일판매·공급계약 체결`,
  (name, n) => `[특징주] ${name}, 장 초반 ${(n % 150) / 10 + 1}% ${n % 3 ? '강세' : '약세'}`,
  (name, n) => `${name} 목표주가 ${n % 2 ? '상향' : '하향'}…"${n % 2 ? '실적 개선 기대' : '수요 둔화 우려'}"`,
  (name, n) => `${name}, 자기주식 ${1 + (n % 90)}만주 취득 결정`,
  (name, n) => `${name}, 신제품 출시로 ${['북미', '유럽', '동남아', '중동'][n % 4]} 시장 공략`,
];
const MARKET_TEMPLATES: readonly ((n: number) => string)[] = [
  (n) => `코스피, 외국인 ${n % 2 ? '순매수' : '순매도'}에 ${(n % 200) / 100}% ${n % 2 ? '상승' : '하락'} 마감`,
  (n) => `원·달러 환율 ${1300 + (n % 150)}원대 ${n % 2 ? '상승' : '하락'} 출발`,
  (n) => `[마감시황] 코스닥 ${n % 2 ? '반등' : '조정'}…업종별 ${n % 3 ? '순환매' : '차별화'}`,
];

/** Slot of market-wide headlines in the id (symbols use their universe index, which stays below 9000). */
const MARKET_SLOT = 9000;

function articlesOf(slot: number, key: string, ymd: string, max: number, make: (n: number) => { title: string; codes: string[] }): SimArticle[] {
  const next = mulberry32(hash32(`news:${key}:${ymd}`));
  const weekend = isoWeekday(Number(ymd)) >= 6;
  const count = Math.floor(next() * (weekend ? 2 : max + 1));
  const out: SimArticle[] = [];
  for (let i = 0; i < count; i++) {
    const second = 7 * 3600 + Math.floor(next() * 13 * 3600);
    const hms = `${String(Math.floor(second / 3600)).padStart(2, '0')}${String(Math.floor(second / 60) % 60).padStart(2, '0')}${String(second % 60).padStart(2, '0')}`;
    const [providerCode, source, categoryCode] = PROVIDERS[Math.floor(next() * PROVIDERS.length)] ?? PROVIDERS[0]!;
    const { title, codes } = make(Math.floor(next() * 1_000_000));
    out.push({ id: `${ymd}${String(slot).padStart(4, '0')}${i}`, ymd, hms, providerCode, source, categoryCode, title, codes });
  }
  return out;
}

/** Headlines about one symbol on one KST day (whether or not their time has come). */
export function symbolArticles(sym: KrSymbol, universeIndex: number, ymd: string): SimArticle[] {
  return articlesOf(universeIndex, sym.code, ymd, 3, (n) => ({ title: (SYMBOL_TEMPLATES[n % SYMBOL_TEMPLATES.length] ?? SYMBOL_TEMPLATES[0]!)(sym.name, n), codes: [sym.code] }));
}

/** Market-wide headlines (no related code) on one KST day. */
export function marketArticles(ymd: string): SimArticle[] {
  return articlesOf(MARKET_SLOT, 'market', ymd, 4, (n) => ({ title: (MARKET_TEMPLATES[n % MARKET_TEMPLATES.length] ?? MARKET_TEMPLATES[0]!)(n), codes: [] }));
}

/**
 * Up to `limit` headlines with (ymd, hms) at or before `cursor` ("YYYYMMDDHHMMSS", already clamped to now by
 * the caller), newest first, looking back at most `lookbackDays` calendar days.
 */
export function headlinesBefore(daysOf: (ymd: string) => SimArticle[], cursor: string, limit: number, lookbackDays = 60): SimArticle[] {
  const out: SimArticle[] = [];
  let ymd = Number(cursor.slice(0, 8));
  for (let d = 0; d < lookbackDays && out.length < limit; d++, ymd = addDays(ymd, -1)) {
    const day = daysOf(String(ymd))
      .filter((a) => `${a.ymd}${a.hms}` <= cursor)
      .sort((a, b) => (`${b.ymd}${b.hms}${b.id}` < `${a.ymd}${a.hms}${a.id}` ? -1 : 1));
    out.push(...day);
  }
  return out.slice(0, limit);
}
