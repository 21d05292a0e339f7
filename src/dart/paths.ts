// OpenDART endpoints kisd uses (docs/data-sources.md §OpenDART). Every call is a GET with crtfc_key in the
// query string, so a URL is a secret until redactPath() has removed its query.

export const DART_BASE_URL = 'https://opendart.fss.or.kr';

export const DART_PATHS = {
  /** Zip of CORPCODE.xml: every corp_code with its name, stock_code (blank if unlisted), modify_date. */
  corpCode: '/api/corpCode.xml',
  /** Disclosure search, paged (page_no, page_count ≤ 100). */
  list: '/api/list.json',
  /** Company overview by corp_code. */
  company: '/api/company.json',
  /** Key financial accounts of one company for bsns_year + reprt_code. */
  keyAccounts: '/api/fnlttSinglAcnt.json',
} as const;

export type DartPath = (typeof DART_PATHS)[keyof typeof DART_PATHS];

/** The path without its query string (what logs and errors may show). */
export function redactPath(pathWithQuery: string): string {
  const i = pathWithQuery.indexOf('?');
  return i < 0 ? pathWithQuery : pathWithQuery.slice(0, i);
}
