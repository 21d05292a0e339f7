// corpCode.xml (고유번호): a zip holding CORPCODE.xml, one <list> per filer with corp_code (8 digits),
// corp_name, corp_eng_name (newer files), stock_code (6 chars, or blank/space when unlisted) and modify_date.
// Unzipped with fflate and parsed with fast-xml-parser, values kept as strings (codes have leading zeros). Pure.
import { XMLParser } from 'fast-xml-parser';
import { unzipSync } from 'fflate';
import { z } from 'zod';
import { parseWith, type ParseOutcome } from './parse-result.js';

export interface CorpCodeEntry {
  corpCode: string;
  corpName: string;
  /** null for an unlisted filer (most of the file). */
  stockCode: string | null;
  /** modify_date YYYYMMDD */
  modifyDate: string;
}

const entry = z.object({
  corp_code: z.string().regex(/^\d{8}$/),
  corp_name: z.string(),
  stock_code: z.string().optional().default(''),
  modify_date: z.string().regex(/^\d{8}$/).or(z.literal('')).optional().default(''),
});

const doc = z.object({ result: z.object({ list: z.array(entry) }) });

const parser = new XMLParser({ parseTagValue: false, trimValues: true, isArray: (name) => name === 'list', processEntities: true });

/** The XML document's entries. */
export function parseCorpCodeXml(xmlText: string): ParseOutcome<CorpCodeEntry[]> {
  let raw: unknown;
  try {
    raw = parser.parse(xmlText);
  } catch (err) {
    return { ok: false, reason: `not XML: ${(err as Error).message.split('\n')[0] ?? ''}` };
  }
  return parseWith(doc, raw, (d) =>
    d.result.list.map((e) => ({ corpCode: e.corp_code, corpName: e.corp_name, stockCode: e.stock_code.trim() === '' ? null : e.stock_code.trim(), modifyDate: e.modify_date })),
  );
}

/** The zip's single XML file, parsed. */
export function parseCorpCodeZip(zip: Uint8Array): ParseOutcome<CorpCodeEntry[]> {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip);
  } catch (err) {
    return { ok: false, reason: `not a readable zip: ${(err as Error).message}` };
  }
  const name = Object.keys(files).find((n) => n.toUpperCase().endsWith('.XML'));
  if (!name) return { ok: false, reason: 'zip holds no .xml file' };
  return parseCorpCodeXml(Buffer.from(files[name] ?? new Uint8Array()).toString('utf8'));
}
