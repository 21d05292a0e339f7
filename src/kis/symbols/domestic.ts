// Domestic (KRX) symbol codes: one parser/validator (seed 004 §1.D, §4: preferred shares and SPACs must
// pass validation). Accepts 6-digit codes, new-style alphanumeric codes and ETNs with or without 'Q'.
import { KisdError } from '../../core/errors.js';

/**
 * common: 6 digits ending in 0. preferred: 6 digits ending in 5/7/9 (1st/2nd/3rd preferred share on the
 * common base with last digit 0, e.g. 005935 on 005930). alphanumeric: new-style 6-char code with at least
 * one uppercase letter (e.g. 0088M0). etn: given with the Q prefix, or named as an ETN. spac: numeric code
 * whose name says SPAC — a code alone cannot tell a SPAC from a common share, so we accept by pattern and
 * classify by name when one is given. other: numeric codes ending in 1–4, 6 or 8 (rights, odd classes).
 */
export type DomesticCodeKind = 'common' | 'preferred' | 'alphanumeric' | 'etn' | 'spac' | 'other';

export interface DomesticSymbol {
  /** 6 chars, no Q prefix: the key kisd stores and the simulator lists. */
  code: string;
  /** What KIS takes as FID_INPUT_ISCD / PDNO / tr_key: 'Q' + code for ETNs, else code. */
  apiCode: string;
  kind: DomesticCodeKind;
  /** For preferred shares, the common share's code (last digit 0). */
  commonCode?: string;
}

export class SymbolError extends KisdError {
  constructor(message: string, input: string) {
    super('KISD_BAD_SYMBOL', message, { disposition: 'fatal', details: { input } });
  }
}

const NUMERIC = /^\d{6}$/;
// New-style codes seen so far start with a digit (0088M0, 0091P0); requiring it keeps a 6-char 'Q…'
// typo of an ETN code from passing as alphanumeric.
const ALNUM = /^\d[0-9A-Z]{5}$/;
const ETN_Q = /^Q(\d{6})$/;
const SPAC_NAME = /스팩|SPAC/i;
const ETN_NAME = /ETN/i;

/**
 * Parses a domestic code. `name` (the KRX short name, e.g. "삼성전자우", "DB금융스팩12호") refines the
 * classification. Throws SymbolError saying what was expected.
 */
export function parseDomesticCode(input: string, opts: { name?: string } = {}): DomesticSymbol {
  if (typeof input !== 'string') throw new SymbolError(`domestic code must be a string, got ${typeof input}`, String(input));
  const raw = input.trim();
  const q = ETN_Q.exec(raw);
  if (q) return { code: q[1]!, apiCode: raw, kind: 'etn' };
  if (NUMERIC.test(raw)) {
    const name = opts.name ?? '';
    if (ETN_NAME.test(name)) return { code: raw, apiCode: `Q${raw}`, kind: 'etn' };
    if (SPAC_NAME.test(name)) return { code: raw, apiCode: raw, kind: 'spac' };
    const last = raw[5]!;
    if (last === '0') return { code: raw, apiCode: raw, kind: 'common' };
    if (last === '5' || last === '7' || last === '9') return { code: raw, apiCode: raw, kind: 'preferred', commonCode: `${raw.slice(0, 5)}0` };
    return { code: raw, apiCode: raw, kind: 'other' };
  }
  if (ALNUM.test(raw)) return { code: raw, apiCode: raw, kind: 'alphanumeric' };
  throw new SymbolError(
    `invalid domestic code ${JSON.stringify(input)}: expected 6 digits (e.g. 005930, preferred 005935), ` +
      `6 digits/uppercase letters (new-style, e.g. 0088M0), or an ETN as Q + 6 digits (e.g. Q500001)`,
    String(input),
  );
}

/** True when `input` parses as a domestic code. */
export function isDomesticCode(input: string): boolean {
  try {
    parseDomesticCode(input);
    return true;
  } catch {
    return false;
  }
}
