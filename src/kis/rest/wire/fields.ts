// Reading KIS string fields into numbers and flags without crashing (STYLE: bad input never crashes):
// every malformed field becomes a ParseIssue the caller counts; a bad row is dropped, not fatal.
import { z } from 'zod';

export interface ParseIssue {
  /** e.g. "output2[3].stck_clpr" */
  path: string;
  raw: unknown;
  expected: string;
}

export interface Parsed<T> {
  value: T;
  issues: ParseIssue[];
}

/** Thrown inside a row reader when a required field is malformed; the row is dropped. */
export class RowError extends Error {}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const KisObject = z.record(z.string(), z.unknown());

/** Typed access to one KIS output object; records issues under `base`. */
export class FieldReader {
  constructor(
    private readonly obj: Record<string, unknown>,
    private readonly base: string,
    private readonly issues: ParseIssue[],
  ) {}

  private issue(key: string, expected: string): void {
    this.issues.push({ path: `${this.base}.${key}`, raw: this.obj[key], expected });
  }

  /** The field as a string with trailing spaces removed (KIS pads msg1 and names); missing → "". */
  str(key: string): string {
    const v = this.obj[key];
    if (typeof v === 'string') return v.trimEnd();
    if (typeof v === 'number') return String(v);
    if (v !== undefined && v !== null) this.issue(key, 'a string');
    return '';
  }

  /** A required number; malformed or blank → issue + RowError. */
  num(key: string): number {
    const n = this.parse(key);
    if (n === null) {
      this.issue(key, 'a number');
      throw new RowError(`${this.base}.${key}`);
    }
    return n;
  }

  /** An optional number: blank → null silently; malformed → null + issue. */
  optNum(key: string): number | null {
    const v = this.obj[key];
    if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) return null;
    const n = this.parse(key);
    if (n === null) this.issue(key, 'a number or blank');
    return n;
  }

  /** "Y"/"N" → boolean; anything else → issue + RowError. */
  flag(key: string): boolean {
    const v = this.str(key).trim();
    if (v === 'Y') return true;
    if (v === 'N') return false;
    this.issue(key, '"Y" or "N"');
    throw new RowError(`${this.base}.${key}`);
  }

  /** A required non-blank string (codes, dates); blank → issue + RowError. */
  req(key: string, pattern?: RegExp): string {
    const v = this.str(key).trim();
    if (v === '' || (pattern && !pattern.test(v))) {
      this.issue(key, pattern ? `a string matching ${pattern.source}` : 'a non-blank string');
      throw new RowError(`${this.base}.${key}`);
    }
    return v;
  }

  private parse(key: string): number | null {
    const v = this.obj[key];
    if (typeof v === 'number') return Number.isFinite(v) ? v : null;
    if (typeof v !== 'string') return null;
    const t = v.trim();
    if (!NUMBER.test(t)) return null;
    return Number(t);
  }
}

/** Reads an output object; a non-object output is an issue and yields undefined. */
export function readObject(container: Record<string, unknown>, key: string, issues: ParseIssue[]): FieldReader | undefined {
  let v = container[key];
  // Some TRs send a one-element array where others send an object (balance output2).
  if (Array.isArray(v)) v = v[0];
  const r = KisObject.safeParse(v);
  if (!r.success) {
    issues.push({ path: key, raw: typeof v, expected: 'an object' });
    return undefined;
  }
  return new FieldReader(r.data, key, issues);
}

/**
 * Maps each element of an output array with `row`; drops rows that throw RowError or are not objects,
 * and rows for which `skip` says they are KIS filler (e.g. blank dates). A missing array reads as [].
 */
export function readRows<T>(
  container: Record<string, unknown>,
  key: string,
  issues: ParseIssue[],
  row: (r: FieldReader) => T,
  skip?: (raw: Record<string, unknown>) => boolean,
): T[] {
  const v = container[key];
  if (v === undefined || v === null || v === '') return [];
  const arr = z.array(z.unknown()).safeParse(v);
  if (!arr.success) {
    issues.push({ path: key, raw: typeof v, expected: 'an array' });
    return [];
  }
  const out: T[] = [];
  arr.data.forEach((item, i) => {
    const o = KisObject.safeParse(item);
    if (!o.success) {
      issues.push({ path: `${key}[${i}]`, raw: typeof item, expected: 'an object' });
      return;
    }
    if (skip?.(o.data)) return;
    try {
      out.push(row(new FieldReader(o.data, `${key}[${i}]`, issues)));
    } catch (err) {
      if (!(err instanceof RowError)) throw err;
    }
  });
  return out;
}

/** Blank filler rows KIS appends (PK drops them): every value empty. */
export function isBlankRow(raw: Record<string, unknown>): boolean {
  return Object.values(raw).every((v) => v === '' || v === null || v === undefined);
}
