// The one table from OpenDART's body `status` to what the client does (STYLE rule 5). DART answers HTTP 200
// with the outcome in the body; codes and texts are the official guide's "메시지 설명" (docs/data-sources.md).
// Each row says why its action is safe; test/unit/dart/status-table.test.ts walks every row.

/**
 * success: parse the body. no-data: a well-formed empty answer (record it, skip). rate-limited: pause every
 * caller on the key, retry later. maintenance: wait (minutes), retry later. bad-key: fatal, alert the operator.
 * bad-request: fatal, the request itself is wrong. server-error: back off and retry.
 */
export type DartAction = 'success' | 'no-data' | 'rate-limited' | 'maintenance' | 'bad-key' | 'bad-request' | 'server-error';

export interface DartStatusRow {
  status: string;
  /** The guide's message (Korean), abbreviated. */
  meaning: string;
  action: DartAction;
  /** Raise an operator alert (a person must act). */
  alert: boolean;
  why: string;
}

export const DART_STATUS_TABLE: readonly DartStatusRow[] = [
  { status: '000', meaning: '정상', action: 'success', alert: false, why: 'the only success code' },
  { status: '013', meaning: '조회된 데이타가 없습니다.', action: 'no-data', alert: false, why: 'a valid query with no rows (seed 002: 데이터 없음 → 스킵)' },
  { status: '014', meaning: '파일이 존재하지 않습니다.', action: 'no-data', alert: false, why: 'the requested document/file does not exist: nothing to fetch, not a failure' },
  { status: '010', meaning: '등록되지 않은 키입니다.', action: 'bad-key', alert: true, why: 'no retry can fix an unknown key; KISD_DART_API_KEY must change' },
  { status: '011', meaning: '사용할 수 없는 키입니다. (일시적으로 사용 중지된 키)', action: 'bad-key', alert: true, why: 'the key is suspended; only the operator can have it re-enabled' },
  { status: '012', meaning: '접근할 수 없는 IP입니다.', action: 'bad-key', alert: true, why: 'the key is bound to other IPs; a configuration problem, not a transient one' },
  { status: '901', meaning: '사용자 계정의 개인정보 보유기간이 만료되어 사용할 수 없는 키입니다.', action: 'bad-key', alert: true, why: 'the account expired; the operator must contact opendart@fss.or.kr' },
  { status: '020', meaning: '요청 제한을 초과하였습니다. (일반적으로 20,000건 이상)', action: 'rate-limited', alert: false, why: 'seed 002: 429 → 1분 대기 후 재시도; a daily cap clears at midnight, so the recovery queue takes over after a few waits' },
  { status: '021', meaning: '조회 가능한 회사 개수가 초과하였습니다.(최대 100건)', action: 'bad-request', alert: false, why: 'too many corp_codes in one request: the caller must split it' },
  { status: '100', meaning: '필드의 부적절한 값입니다.', action: 'bad-request', alert: false, why: 'a parameter outside the documented values: resending the same request fails the same way' },
  { status: '101', meaning: '부적절한 접근입니다.', action: 'bad-request', alert: true, why: 'DART refused the access pattern itself; retrying could get the key blocked' },
  { status: '800', meaning: '시스템 점검으로 인한 서비스가 중지 중입니다.', action: 'maintenance', alert: false, why: 'planned downtime: wait minutes, not seconds, then retry' },
  { status: '900', meaning: '정의되지 않은 오류가 발생하였습니다.', action: 'server-error', alert: false, why: 'an error on DART’s side: back off and retry like a 5xx' },
];

const BY_STATUS = new Map(DART_STATUS_TABLE.map((r) => [r.status, r]));

/** The row for a status; a code the guide does not list is treated as a server error (retried, then failed). */
export function dartStatusRow(status: string): DartStatusRow {
  return BY_STATUS.get(status) ?? { status, meaning: '(not in the guide)', action: 'server-error', alert: false, why: 'an undocumented code: retry a few times, then fail loudly' };
}
