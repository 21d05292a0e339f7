// Shared helpers for the simulator's integration tests: start a simulator on port 0 with a fake clock and call
// it with plain fetch, the way any KIS client would.
import { request as httpRequest } from 'node:http';
import { createFakeClock, type FakeClock } from '../../helpers/fake-clock.js';
import { createSimulator, type Simulator, type SimulatorOptions } from '../../../src/sim/index.js';
import type { SimApp } from '../../../src/sim/contracts.js';

export const APP_A: SimApp = { appKey: 'PSappkeyA0000000000000000000000000001', appSecret: 'secretA'.padEnd(180, 'x'), accountNo: '50000001-01', htsId: 'htsuserA' };
export const APP_B: SimApp = { appKey: 'PSappkeyB0000000000000000000000000002', appSecret: 'secretB'.padEnd(180, 'y'), accountNo: '50000002-01', htsId: 'htsuserB' };

export const PATHS = {
  tokenP: '/oauth2/tokenP',
  revokeP: '/oauth2/revokeP',
  approval: '/oauth2/Approval',
  hashkey: '/uapi/hashkey',
  price: '/uapi/domestic-stock/v1/quotations/inquire-price',
  chart: '/uapi/domestic-stock/v1/quotations/inquire-daily-itemchartprice',
  investor: '/uapi/domestic-stock/v1/quotations/inquire-investor',
  holiday: '/uapi/domestic-stock/v1/quotations/chk-holiday',
  usPrice: '/uapi/overseas-price/v1/quotations/price',
  orderCash: '/uapi/domestic-stock/v1/trading/order-cash',
  rvsecncl: '/uapi/domestic-stock/v1/trading/order-rvsecncl',
  usOrder: '/uapi/overseas-stock/v1/trading/order',
  usRvsecncl: '/uapi/overseas-stock/v1/trading/order-rvsecncl',
  balance: '/uapi/domestic-stock/v1/trading/inquire-balance',
  ccld: '/uapi/domestic-stock/v1/trading/inquire-daily-ccld',
} as const;

export interface Kit {
  sim: Simulator;
  clock: FakeClock;
}

/** Starts a simulator (real flavor, apps A and B) at a KST instant (default Monday 2026-11-23 10:00). */
export async function startSim(overrides: Partial<SimulatorOptions> = {}, start = '2026-11-23 10:00:00'): Promise<Kit> {
  const clock = createFakeClock(start);
  const sim = await createSimulator({ clock, apps: [APP_A, APP_B], ...overrides });
  return { sim, clock };
}

export interface CallOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  trId?: string;
  token?: string;
  app?: SimApp;
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
  trCont?: string;
}

export interface CallResult {
  status: number;
  headers: Headers;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** One KIS-style call: appkey/appsecret/authorization/tr_id headers, query string for GET, JSON body for POST. */
export async function call(sim: Simulator, path: string, o: CallOptions = {}): Promise<CallResult> {
  const app = o.app ?? APP_A;
  const method = o.method ?? (o.body !== undefined ? 'POST' : 'GET');
  const url = new URL(path, sim.restUrl);
  for (const [k, v] of Object.entries(o.query ?? {})) url.searchParams.set(k, v);
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', appkey: app.appKey, appsecret: app.appSecret, custtype: 'P', ...(o.headers ?? {}) };
  if (o.token !== undefined) headers['authorization'] = `Bearer ${o.token}`;
  if (o.trId !== undefined) headers['tr_id'] = o.trId;
  if (o.trCont !== undefined) headers['tr_cont'] = o.trCont;
  const res = await fetch(url, { method, headers, ...(o.body !== undefined ? { body: typeof o.body === 'string' ? o.body : JSON.stringify(o.body) } : {}) });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Issues a token for app through /oauth2/tokenP (fails the test if it is refused). */
export async function tokenFor(sim: Simulator, app: SimApp = APP_A): Promise<string> {
  const r = await call(sim, PATHS.tokenP, { app, body: { grant_type: 'client_credentials', appkey: app.appKey, appsecret: app.appSecret } });
  if (r.status !== 200) throw new Error(`tokenP refused: ${r.text}`);
  return r.json.access_token as string;
}

export function priceQuery(code: string): Record<string, string> {
  return { FID_COND_MRKT_DIV_CODE: 'J', FID_INPUT_ISCD: code };
}

export function accountBody(app: SimApp = APP_A): { CANO: string; ACNT_PRDT_CD: string } {
  const [cano = '', prdt = ''] = app.accountNo.split('-');
  return { CANO: cano, ACNT_PRDT_CD: prdt };
}

export function balanceQuery(app: SimApp = APP_A, cursor: { fk?: string; nk?: string } = {}): Record<string, string> {
  return {
    ...accountBody(app),
    AFHR_FLPR_YN: 'N',
    OFL_YN: '',
    INQR_DVSN: '01',
    UNPR_DVSN: '01',
    FUND_STTL_ICLD_YN: 'N',
    FNCG_AMT_AUTO_RDPT_YN: 'N',
    PRCS_DVSN: '00',
    CTX_AREA_FK100: cursor.fk ?? '',
    CTX_AREA_NK100: cursor.nk ?? '',
  };
}

export function ccldQuery(from: string, to: string, app: SimApp = APP_A, cursor: { fk?: string; nk?: string } = {}): Record<string, string> {
  return {
    ...accountBody(app),
    INQR_STRT_DT: from,
    INQR_END_DT: to,
    SLL_BUY_DVSN_CD: '00',
    INQR_DVSN: '00',
    PDNO: '',
    CCLD_DVSN: '00',
    ORD_GNO_BRNO: '',
    ODNO: '',
    INQR_DVSN_3: '00',
    INQR_DVSN_1: '',
    CTX_AREA_FK100: cursor.fk ?? '',
    CTX_AREA_NK100: cursor.nk ?? '',
    EXCG_ID_DVSN_CD: 'KRX',
  };
}

export function orderBody(pdno: string, qty: string, price: string, ordDvsn = '00', app: SimApp = APP_A): Record<string, string> {
  return { ...accountBody(app), PDNO: pdno, ORD_DVSN: ordDvsn, ORD_QTY: qty, ORD_UNPR: price, EXCG_ID_DVSN_CD: 'KRX', SLL_TYPE: '01', CNDT_PRIC: '' };
}

/** Raw response header names as sent on the wire (fetch lowercases them). */
export function rawHeaderNames(sim: Simulator, path: string, headers: Record<string, string>, query: Record<string, string>): Promise<{ status: number; names: string[]; values: Record<string, string> }> {
  const url = new URL(path, sim.restUrl);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'GET', headers }, (res) => {
      const names: string[] = [];
      const values: Record<string, string> = {};
      for (let i = 0; i < res.rawHeaders.length; i += 2) {
        names.push(res.rawHeaders[i] ?? '');
        values[res.rawHeaders[i] ?? ''] = res.rawHeaders[i + 1] ?? '';
      }
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, names, values }));
    });
    req.on('error', reject);
    req.end();
  });
}
