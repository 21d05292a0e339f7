// The DART wire parsers on recorded-shape payloads: a page of list.json, company.json, fnlttSinglAcnt.json and
// the corpCode zip; every shape mismatch is a reason (field paths, no values), never an empty success.
import { describe, expect, it } from 'vitest';
import { zipSync } from 'fflate';
import { dartAmount, parseCompany, parseCorpCodeXml, parseCorpCodeZip, parseDisclosurePage, parseKeyAccounts } from '../../../src/dart/index.js';

const page = {
  status: '000',
  message: '정상',
  page_no: 1,
  page_count: 10,
  total_count: 2,
  total_page: 1,
  list: [
    { corp_cls: 'Y', corp_name: '삼성전자', corp_code: '00126380', stock_code: '005930', report_nm: '현금ㆍ현물배당결정', rcept_no: '20260130800123', flr_nm: '삼성전자', rcept_dt: '20260130', rm: '유' },
    { corp_cls: 'E', corp_name: '다코', corp_code: '00434003', stock_code: ' ', report_nm: '감사보고서 (2025.12)', rcept_no: '20260131000456', flr_nm: '삼정회계법인', rcept_dt: '20260131', rm: '' },
  ],
};

describe('parseDisclosurePage', () => {
  it('maps a page; a blank stock_code is an unlisted filer (null)', () => {
    const r = parseDisclosurePage(page);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({ pageNo: 1, totalCount: 2, totalPage: 1 });
    expect(r.value.items[0]).toEqual({ receiptNo: '20260130800123', receiptDate: '20260130', corpCode: '00126380', corpName: '삼성전자', stockCode: '005930', corpClass: 'Y', reportName: '현금ㆍ현물배당결정', filerName: '삼성전자', remarks: '유' });
    expect(r.value.items[1]?.stockCode).toBeNull();
  });
  it('counters sent as numeric strings are accepted', () => {
    expect(parseDisclosurePage({ ...page, page_no: '1', total_page: '1', total_count: '2', page_count: '10' }).ok).toBe(true);
  });
  it('a missing list, a bad receipt number or a non-000 status is a reason, not an empty page', () => {
    const { list: _drop, ...noList } = page;
    const a = parseDisclosurePage(noList);
    expect(a).toMatchObject({ ok: false });
    expect(!a.ok && a.reason).toContain('list');
    const b = parseDisclosurePage({ ...page, list: [{ ...page.list[0], rcept_no: '2026' }] });
    expect(!b.ok && b.reason).toContain('list.0.rcept_no');
    expect(parseDisclosurePage({ ...page, status: '013' }).ok).toBe(false);
  });
});

describe('parseCompany', () => {
  it('maps the overview and refuses a body without corp_cls', () => {
    const body = { status: '000', message: '정상', corp_code: '00126380', corp_name: '삼성전자(주)', corp_name_eng: 'SAMSUNG ELECTRONICS CO,.LTD', stock_name: '삼성전자', stock_code: '005930', ceo_nm: '전영현', corp_cls: 'Y', jurir_no: '1301110006246', bizr_no: '1248100998', adres: '경기도 수원시 영통구  삼성로 129 (매탄동)', hm_url: 'www.samsung.com/sec', ir_url: '', phn_no: '02-2255-0114', fax_no: '031-200-7538', induty_code: '264', est_dt: '19690113', acc_mt: '12' };
    const r = parseCompany(body);
    expect(r).toMatchObject({ ok: true, value: { corpCode: '00126380', stockCode: '005930', corpClass: 'Y', establishedDate: '19690113', fiscalMonth: '12' } });
    const { corp_cls: _c, ...bad } = body;
    expect(parseCompany(bad).ok).toBe(false);
  });
});

describe('parseKeyAccounts', () => {
  it('parses amounts with separators, negatives and blanks', () => {
    expect(dartAmount('1,234,567')).toBe(1234567);
    expect(dartAmount('-9,876')).toBe(-9876);
    expect(dartAmount('')).toBeNull();
    expect(dartAmount('-')).toBeNull();
    const r = parseKeyAccounts({
      status: '000',
      message: '정상',
      list: [{ rcept_no: '20250311001085', bsns_year: '2024', stock_code: '005930', reprt_code: '11011', account_nm: '매출액', fs_div: 'CFS', fs_nm: '연결재무제표', sj_div: 'IS', sj_nm: '손익계산서', thstrm_nm: '제 56 기', thstrm_dt: '2024.01.01 ~ 2024.12.31', thstrm_amount: '300,870,903,000,000', frmtrm_amount: '258,935,494,000,000', bfefrmtrm_amount: '302,231,360,000,000', ord: '19', currency: 'KRW' }],
    });
    expect(r).toMatchObject({ ok: true, value: [{ accountName: '매출액', fsDiv: 'CFS', currentAmount: 300870903000000, previousAmount: 258935494000000, beforePreviousAmount: 302231360000000, order: 19 }] });
  });
  it('an unknown fs_div is a shape error', () => {
    expect(parseKeyAccounts({ status: '000', list: [{ rcept_no: '20250311001085', bsns_year: '2024', reprt_code: '11011', account_nm: 'x', fs_div: 'XYZ', sj_div: 'IS' }] }).ok).toBe(false);
  });
});

describe('corp codes', () => {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<result>
    <list>
        <corp_code>00434003</corp_code>
        <corp_name>다코</corp_name>
        <stock_code> </stock_code>
        <modify_date>20170630</modify_date>
    </list>
    <list>
        <corp_code>00126380</corp_code>
        <corp_name>삼성전자</corp_name>
        <corp_eng_name>SAMSUNG ELECTRONICS CO,.LTD</corp_eng_name>
        <stock_code>005930</stock_code>
        <modify_date>20240101</modify_date>
    </list>
</result>`;
  it('keeps leading zeros and maps a blank stock code to null', () => {
    expect(parseCorpCodeXml(xml)).toEqual({
      ok: true,
      value: [
        { corpCode: '00434003', corpName: '다코', stockCode: null, modifyDate: '20170630' },
        { corpCode: '00126380', corpName: '삼성전자', stockCode: '005930', modifyDate: '20240101' },
      ],
    });
  });
  it('reads the XML out of the zip; a zip without XML or bytes that are not a zip are reasons', () => {
    expect(parseCorpCodeZip(zipSync({ 'CORPCODE.xml': new TextEncoder().encode(xml) }))).toMatchObject({ ok: true });
    expect(parseCorpCodeZip(zipSync({ 'readme.txt': new Uint8Array([65]) }))).toEqual({ ok: false, reason: 'zip holds no .xml file' });
    expect(parseCorpCodeZip(new Uint8Array([1, 2, 3, 4])).ok).toBe(false);
    expect(parseCorpCodeXml('<result><list><corp_code>12</corp_code><corp_name>x</corp_name></list></result>').ok).toBe(false);
  });
});
