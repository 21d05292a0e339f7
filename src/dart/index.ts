// Public surface of the OpenDART adapter (the second data source beside src/kis; docs/data-sources.md).
export { DART_BASE_URL, DART_PATHS, redactPath, type DartPath } from './paths.js';
export { DART_STATUS_TABLE, dartStatusRow, type DartAction, type DartStatusRow } from './status-table.js';
export { classifyDartReply, readDartReply, DART_REPLY_TABLE, type DartReplyFacts, type DartVerdict, type DartVerdictAction, type BodyKind } from './classify.js';
export { DartApiError, DartNetworkError, DartMalformedReplyError, DartQuotaExhaustedError, type DartErrorCode } from './errors.js';
export { createDartTransport, type DartTransport, type DartHttpResponse, type DartTransportOptions } from './transport.js';
export { createDailyQuota, type DailyQuota } from './daily-quota.js';
export { compileDartClientOptions, type DartClientOptions, type CompiledDartClientOptions } from './client-options.js';
export { createDartClient, type DartClient, type DartClientEventMap, type DartResult, type DartRequestOptions } from './client.js';
export { DartApi, type DisclosureQuery } from './dart-api.js';
export { CorpCodeMap, loadCorpCodeMap, CORP_CODE_CACHE_FILE, type CorpCodeSourceOptions } from './corp-code-map.js';
export { loadDartApiKey, DART_API_KEY_ENV, DART_SIM_API_KEY } from './credentials.js';
export { parseDisclosurePage, type Disclosure, type DisclosurePage, type CorpClass } from './wire/disclosures.js';
export { parseCompany, type CompanyOverview } from './wire/company.js';
export { parseKeyAccounts, dartAmount, REPORT_CODES, type KeyAccount, type ReportCode } from './wire/key-accounts.js';
export { parseCorpCodeXml, parseCorpCodeZip, type CorpCodeEntry } from './wire/corp-codes.js';
export type { ParseOutcome } from './wire/parse-result.js';
