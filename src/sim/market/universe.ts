// The symbol universe: about 2,800 KRX listings (commons, preferred shares, SPACs, new-style alphanumeric codes,
// ETFs, ETNs) and about 100 US listings. Built from a fixed universe seed so codes and names are the same for
// every market seed; only prices depend on SimulatorOptions.seed.
import { hash32, mulberry32, gaussian } from './prng.js';
import type { KrSymbolKind } from './tick-size.js';
import { REAL_KR_ETFS, REAL_KR_PREFERRED, REAL_KR_STOCKS, US_SYMBOLS, type UsExchange } from './universe-data.js';

export interface KrSymbol {
  /** 6-character listing code (ETNs without the Q prefix). */
  code: string;
  /** The code as requests carry it: 'Q' + code for ETNs, else code. */
  requestCode: string;
  name: string;
  kind: KrSymbolKind;
  market: 'KOSPI' | 'KOSDAQ';
  /** KRW price the seeded walk starts from and reverts toward. */
  basePrice: number;
  /** daily log-return standard deviation */
  dailyVolatility: number;
  /** typical daily volume in shares */
  baseVolume: number;
  /** listed shares (lstn_stcn) */
  listedShares: number;
  /** 업종 name (bstp_kor_isnm) */
  sector: string;
}

export interface UsSymbol {
  symbol: string;
  exchange: UsExchange;
  basePrice: number;
  dailyVolatility: number;
  baseVolume: number;
}

export interface Universe {
  kr: readonly KrSymbol[];
  us: readonly UsSymbol[];
}

const UNIVERSE_SEED = 0x4b495344; // "KISD": fixed so codes never move when the market seed changes

const PREFIXES = '대한 한국 동양 서울 삼일 태평양 신성 우리 미래 세진 한일 대성 동화 일진 성우 한솔 대원 금호 동부 삼화 한신 경동 대영 유니 아이 에이 비츠 제이 케이 엠 씨엔 하이 넥스 코리아 글로벌 그린 블루 뉴 휴 이노 퓨처 스마트 디지털 나노 메디 에코 솔 라온 누리 한빛 새한 진성 태양 대동 화신 영풍 남성 고려 동원 삼양'.split(' ');
const SUFFIXES = '전자 바이오 제약 화학 건설 산업 테크 반도체 에너지 로직스 소재 시스템 홀딩스 식품 물산 중공업 정밀 엔터 게임즈 모빌리티 소프트 통신 금속 제지 섬유 기계 전기 디스플레이 인터내셔널 네트웍스 메디칼 헬스케어 로보틱스 파마 케미칼 솔루션 이앤씨 머티리얼즈 테크놀로지 엔지니어링'.split(' ');
const SECTORS = '전기·전자 의약품 화학 건설업 서비스업 운수장비 금융업 유통업 철강·금속 음식료품 기계 통신업 섬유·의복 종이·목재 의료정밀'.split(' ');
const SPAC_BROKERS = '하나금융 미래에셋비전 KB 신한 NH 대신밸런스 유안타 교보 삼성 IBKS 한국 DB금융 SK증권 키움 유진'.split(' ');
const ETF_BRANDS = 'KODEX TIGER ACE RISE SOL PLUS HANARO KIWOOM'.split(' ');
const THEMES = '미국배당 반도체TOP10 2차전지 K방산 조선TOP3 바이오 인공지능 리츠 금현물 단기채권 고배당 헬스케어 로봇 원자력 전력인프라'.split(' ');
const ETN_ISSUERS: readonly (readonly [number, string])[] = [[500, '신한'], [520, '미래에셋'], [530, '삼성'], [550, 'NH'], [570, '한투'], [580, 'KB'], [590, '키움']];
const ETN_UNDERLYINGS = '레버리지 WTI원유 선물|인버스 2X 천연가스 선물|레버리지 금 선물|미국 S&P500 변동성|레버리지 구리 선물|인버스 2X 나스닥100|중국 CSI300|일본 엔선물'.split('|');

const TARGET_KR = 2800;

function pad6(n: number): string {
  return String(n).padStart(6, '0');
}

function logNormal(next: () => number, median: number, sigma: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, median * Math.exp(sigma * gaussian(next))));
}

let built: Universe | undefined;

/** The fixed universe (pure, so built once per process and shared, frozen, by every market). */
export function buildUniverse(): Universe {
  built ??= Object.freeze(generateUniverse());
  return built;
}

function generateUniverse(): Universe {
  const next = mulberry32(UNIVERSE_SEED);
  const kr: KrSymbol[] = [];
  const used = new Set<string>();
  const names = new Set<string>();
  const add = (s: Omit<KrSymbol, 'requestCode' | 'sector'> & { sector?: string }): void => {
    if (used.has(s.code)) return;
    used.add(s.code);
    names.add(s.name);
    const sector = s.sector ?? SECTORS[hash32(s.code) % SECTORS.length] ?? '서비스업';
    kr.push({ ...s, sector, requestCode: s.kind === 'etn' ? `Q${s.code}` : s.code });
  };
  const stockStats = (price: number, volume: number) => ({
    dailyVolatility: 0.012 + next() * 0.025,
    baseVolume: Math.round(volume),
    listedShares: Math.round(logNormal(next, 40_000_000, 1.2, 2_000_000, 6_000_000_000)),
    basePrice: price,
  });

  for (const [code, name, market, price] of REAL_KR_STOCKS) {
    const volume = code === '005930' ? 15_000_000 : logNormal(next, 900_000, 0.8, 50_000, 8_000_000);
    add({ code, name, kind: 'stock', market, ...stockStats(price, volume) });
  }
  for (const [code, name, common] of REAL_KR_PREFERRED) {
    const base = kr.find((s) => s.code === common);
    const price = Math.round((base?.basePrice ?? 50_000) * 0.8);
    add({ code, name, kind: 'preferred', market: base?.market ?? 'KOSPI', ...stockStats(price, 200_000) });
  }
  for (const [code, name, price] of REAL_KR_ETFS) {
    add({ code, name, kind: 'etf', market: 'KOSPI', ...stockStats(price, 2_000_000), dailyVolatility: 0.012, sector: 'ETF' });
  }

  // ETNs: 6-digit listing codes under the issuers' number blocks; requests carry them as Q + code.
  for (let i = 0; i < 120; i++) {
    const [block, issuer] = ETN_ISSUERS[i % ETN_ISSUERS.length] ?? [500, '신한'];
    const code = pad6(block * 1000 + 1 + Math.floor(i / ETN_ISSUERS.length));
    const under = ETN_UNDERLYINGS[i % ETN_UNDERLYINGS.length] ?? 'WTI원유 선물';
    add({ code, name: `${issuer} ${under} ETN ${Math.floor(i / ETN_UNDERLYINGS.length) + 1}`, kind: 'etn', market: 'KOSPI', ...stockStats(roundTo5(logNormal(next, 9_000, 0.6, 2_000, 40_000)), 150_000), dailyVolatility: 0.03, sector: 'ETN' });
  }
  // SPACs: numeric codes in the 4xxxx0 block, names "<broker><n>호스팩", trading near the 2,000-won offer price.
  for (let i = 0; i < 60; i++) {
    const code = pad6(400_000 + Math.floor(next() * 9_999) * 10);
    const broker = SPAC_BROKERS[i % SPAC_BROKERS.length] ?? 'KB';
    add({ code, name: `${broker}${10 + i}호스팩`, kind: 'spac', market: 'KOSDAQ', ...stockStats(2_000 + Math.floor(next() * 300), 40_000), dailyVolatility: 0.006, sector: '금융업' });
  }
  // New-style alphanumeric codes (since 2024 KRX issues codes like 0088M0: 00 + 2 digits + letter + 0).
  const nameDeck = shuffledNames(next);
  let nameAt = 0;
  const nextName = (): string => {
    while (nameAt < nameDeck.length) {
      const n = nameDeck[nameAt++] ?? '';
      if (!names.has(n)) return n;
    }
    return `가상종목${nameAt++}`;
  };
  for (let i = 0; i < 60; i++) {
    const letter = String.fromCharCode(65 + Math.floor(next() * 26));
    const code = `00${String(Math.floor(next() * 100)).padStart(2, '0')}${letter}0`;
    add({ code, name: nextName(), kind: 'stock', market: next() < 0.3 ? 'KOSPI' : 'KOSDAQ', ...stockStats(Math.round(logNormal(next, 15_000, 0.9, 1_000, 300_000)), logNormal(next, 300_000, 1, 5_000, 5_000_000)) });
  }
  for (let i = 0; i < 60; i++) {
    const brand = ETF_BRANDS[i % ETF_BRANDS.length] ?? 'KODEX';
    const theme = THEMES[Math.floor(i / ETF_BRANDS.length) % THEMES.length] ?? '고배당';
    const code = pad6(200_000 + Math.floor(next() * 29_999) * 10);
    add({ code, name: `${brand} ${theme}${i >= ETF_BRANDS.length * THEMES.length ? ` ${i}` : ''}`, kind: 'etf', market: 'KOSPI', ...stockStats(roundTo5(logNormal(next, 12_000, 0.5, 3_000, 60_000)), 200_000), dailyVolatility: 0.014, sector: 'ETF' });
  }
  // Synthetic commons (codes ending in 0) until the target, a tenth of them with a preferred share (…5, some …7).
  while (kr.length < TARGET_KR) {
    const code = pad6(Math.floor(next() * 49_999 + 1) * 10);
    if (used.has(code)) continue;
    const price = Math.round(logNormal(next, 9_000, 1.0, 300, 900_000));
    const name = nextName();
    const market = next() < 0.35 ? 'KOSPI' : 'KOSDAQ';
    add({ code, name, kind: 'stock', market, ...stockStats(price, logNormal(next, 180_000, 1.1, 2_000, 20_000_000)) });
    if (next() < 0.1 && kr.length < TARGET_KR) {
      add({ code: code.slice(0, 5) + '5', name: `${name}우`, kind: 'preferred', market, ...stockStats(Math.max(300, Math.round(price * 0.7)), 30_000) });
      if (next() < 0.15 && kr.length < TARGET_KR) add({ code: code.slice(0, 5) + '7', name: `${name}2우B`, kind: 'preferred', market, ...stockStats(Math.max(300, Math.round(price * 0.75)), 10_000) });
    }
  }

  const us: UsSymbol[] = US_SYMBOLS.map(([symbol, exchange, price]) => ({
    symbol,
    exchange,
    basePrice: price,
    dailyVolatility: 0.01 + next() * 0.02,
    baseVolume: Math.round(logNormal(next, 8_000_000, 0.9, 300_000, 120_000_000)),
  }));
  return { kr: Object.freeze(kr.map((s) => Object.freeze(s))), us: Object.freeze(us.map((s) => Object.freeze(s))) };
}

function roundTo5(p: number): number {
  return Math.max(5, Math.round(p / 5) * 5);
}

function shuffledNames(next: () => number): string[] {
  const deck: string[] = [];
  for (const p of PREFIXES) for (const s of SUFFIXES) deck.push(p + s);
  for (let i = deck.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    const a = deck[i] ?? '';
    deck[i] = deck[j] ?? '';
    deck[j] = a;
  }
  return deck;
}
