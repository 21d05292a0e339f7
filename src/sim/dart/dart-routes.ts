// The DART simulator's API handlers (docs/data-sources.md §OpenDART): corpCode.xml (a zip of CORPCODE.xml),
// list.json (paged, filterable, oldest/newest first), company.json and fnlttSinglAcnt.json. Each returns the
// body DART would send with HTTP 200 — the outcome is the body's status, as on the real service.
import { XMLBuilder } from 'fast-xml-parser';
import { zipSync } from 'fflate';
import { addDays, parseYmd, ymdToDayNumber } from '../market/trading-calendar.js';
import type { DartUniverse } from './dart-universe.js';
import { dayOfKst, PERIODIC, type DisclosureFeed } from './disclosure-feed.js';
import { companyFields, keyAccountRows } from './financials.js';

export const DART_SIM_PATHS = { corpCode: '/api/corpCode.xml', list: '/api/list.json', company: '/api/company.json', keyAccounts: '/api/fnlttSinglAcnt.json' } as const;

/** The guide's message for each status (the simulator's own copy: it never imports the client). */
export const DART_MESSAGES: Readonly<Record<string, string>> = {
  '000': '정상',
  '010': '등록되지 않은 키입니다.',
  '011': '사용할 수 없는 키입니다. 오픈API에 등록되었으나, 일시적으로 사용 중지된 키를 통하여 검색하는 경우 발생합니다.',
  '012': '접근할 수 없는 IP입니다.',
  '013': '조회된 데이타가 없습니다.',
  '014': '파일이 존재하지 않습니다.',
  '020': '요청 제한을 초과하였습니다. 일반적으로는 20,000건 이상의 요청에 대하여 이 에러 메시지가 발생되나, 요청 제한이 다르게 설정된 경우에는 이에 준하여 발생됩니다.',
  '021': '조회 가능한 회사 개수가 초과하였습니다.(최대 100건)',
  '100': '필드의 부적절한 값입니다. 필드 설명에 없는 값을 사용한 경우에 발생하는 메시지입니다.',
  '101': '부적절한 접근입니다.',
  '800': '시스템 점검으로 인한 서비스가 중지 중입니다.',
  '900': '정의되지 않은 오류가 발생하였습니다.',
  '901': '사용자 계정의 개인정보 보유기간이 만료되어 사용할 수 없는 키입니다. 관리자 이메일(opendart@fss.or.kr)로 문의하시기 바랍니다.',
};

export type DartBody = { kind: 'json'; json: Record<string, unknown> } | { kind: 'zip'; bytes: Uint8Array };

export function statusBody(status: string): Record<string, unknown> {
  return { status, message: DART_MESSAGES[status] ?? '정의되지 않은 오류가 발생하였습니다.' };
}

/** The XML form of a status reply (corpCode.xml errors come as XML ❓ — the client accepts XML or JSON). */
export function statusXml(status: string): string {
  return new XMLBuilder({}).build({ result: { status, message: DART_MESSAGES[status] ?? '' } }) as string;
}

export interface RouteEnv {
  universe: DartUniverse;
  feed: DisclosureFeed;
  nowMs: number;
}

const ok = (json: Record<string, unknown>): DartBody => ({ kind: 'json', json: { status: '000', message: '정상', ...json } });
const status = (s: string): DartBody => ({ kind: 'json', json: statusBody(s) });

let corpZip: Uint8Array | undefined;

/** CORPCODE.zip, built once per process (the universe is fixed). */
export function corpCodeZip(universe: DartUniverse): Uint8Array {
  corpZip ??= (() => {
    const list = universe.filers.map((f) => ({ corp_code: f.corpCode, corp_name: f.corpName, corp_eng_name: f.corpNameEng, stock_code: f.stockCode ?? ' ', modify_date: f.modifyDate }));
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLBuilder({ format: true }).build({ result: { list } }) as string}`;
    return zipSync({ 'CORPCODE.xml': new TextEncoder().encode(xml) });
  })();
  return corpZip;
}

export function corpCodeRoute(env: RouteEnv): DartBody {
  return { kind: 'zip', bytes: corpCodeZip(env.universe) };
}

const CLS = new Set(['Y', 'K', 'N', 'E']);
const KINDS = new Set(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J']);

export function listRoute(env: RouteEnv, q: URLSearchParams): DartBody {
  const today = dayOfKst(env.nowMs);
  const endText = q.get('end_de') ?? '';
  const end = endText === '' ? today : parseYmd(endText);
  const bgnText = q.get('bgn_de') ?? '';
  const bgn = bgnText === '' ? end : parseYmd(bgnText);
  if (end === undefined || bgn === undefined || bgn > end) return status('100');
  const corpCode = q.get('corp_code') ?? '';
  if (corpCode !== '' && !/^\d{8}$/.test(corpCode)) return status('100');
  // Without corp_code DART refuses search periods longer than three months (❓ per a 3P client's note).
  if (corpCode === '' && ymdToDayNumber(end) - ymdToDayNumber(bgn) > 92) return status('100');
  const cls = q.get('corp_cls') ?? '';
  const kind = q.get('pblntf_ty') ?? '';
  const sort = q.get('sort') ?? 'date';
  const sortMth = q.get('sort_mth') ?? 'desc';
  const pageNo = Number(q.get('page_no') ?? '1');
  const pageCount = Number(q.get('page_count') ?? '10');
  if ((cls !== '' && !CLS.has(cls)) || (kind !== '' && !KINDS.has(kind)) || !['date', 'crp', 'rpt'].includes(sort) || !['asc', 'desc'].includes(sortMth)) return status('100');
  if (!Number.isInteger(pageNo) || pageNo < 1 || !Number.isInteger(pageCount) || pageCount < 1 || pageCount > 100) return status('100');
  // The simulator keeps one year of filing history (older ranges are clipped: bounded memory and time).
  const from = Math.max(bgn, addDays(today, -366));
  let rows = env.feed.visible(from, end, env.nowMs, corpCode === '' ? undefined : corpCode).filter((d) => (cls === '' || d.filer.corpCls === cls) && (kind === '' || d.kind === kind));
  if (sort === 'crp') rows = rows.sort((a, b) => a.filer.corpName.localeCompare(b.filer.corpName) || (a.rceptNo < b.rceptNo ? -1 : 1));
  if (sort === 'rpt') rows = rows.sort((a, b) => a.reportNm.localeCompare(b.reportNm) || (a.rceptNo < b.rceptNo ? -1 : 1));
  if (sortMth === 'desc') rows = rows.reverse();
  const totalPage = Math.ceil(rows.length / pageCount);
  const slice = rows.slice((pageNo - 1) * pageCount, pageNo * pageCount);
  if (slice.length === 0) return status('013');
  return ok({
    page_no: pageNo,
    page_count: pageCount,
    total_count: rows.length,
    total_page: totalPage,
    list: slice.map((d) => ({
      corp_cls: d.filer.corpCls,
      corp_name: d.filer.corpName,
      corp_code: d.filer.corpCode,
      stock_code: d.filer.stockCode ?? '',
      report_nm: d.reportNm,
      rcept_no: d.rceptNo,
      flr_nm: d.flrNm,
      rcept_dt: d.rceptDt,
      rm: d.rm,
    })),
  });
}

export function companyRoute(env: RouteEnv, q: URLSearchParams): DartBody {
  const corpCode = q.get('corp_code') ?? '';
  if (!/^\d{8}$/.test(corpCode)) return status('100');
  const filer = env.universe.byCorpCode(corpCode);
  return filer ? ok(companyFields(filer)) : status('013');
}

export function keyAccountsRoute(env: RouteEnv, q: URLSearchParams): DartBody {
  const corpCode = q.get('corp_code') ?? '';
  const year = Number(q.get('bsns_year') ?? '');
  const reprt = q.get('reprt_code') ?? '';
  if (!/^\d{8}$/.test(corpCode) || !Number.isInteger(year) || year < 2015 || year > 2100 || !PERIODIC[reprt]) return status('100');
  const filer = env.universe.byCorpCode(corpCode);
  if (!filer || filer.stockCode === null) return status('013');
  const filedAt = env.feed.periodicFiledAt(filer, year, reprt);
  if (filedAt === undefined || filedAt > env.nowMs) return status('013'); // not filed yet
  const periodic = env.feed.day(dayOfKst(filedAt)).find((d) => d.filer === filer && d.kind === 'A');
  return ok({ list: keyAccountRows(filer, year, reprt, periodic?.rceptNo ?? `${dayOfKst(filedAt)}000000`) });
}
