// Allocation-light access to '^'-separated realtime payloads: one pass records field boundaries into a
// reused Int32Array, then record builders read numbers straight from the string without slicing.
// The parser is synchronous, so one module-level scratch buffer is safe.

let bounds = new Int32Array(1024);
let text = '';

/** Indexes the '^'-separated fields of `source` from offset `from` to its end; returns the field count (>= 1). */
export function scanFields(source: string, from = 0): number {
  text = source;
  let n = 0;
  let pos = from;
  for (;;) {
    if (n + 2 > bounds.length) {
      const grown = new Int32Array(bounds.length * 2);
      grown.set(bounds);
      bounds = grown;
    }
    bounds[n++] = pos;
    const sep = source.indexOf('^', pos);
    if (sep < 0) break;
    pos = sep + 1;
  }
  // Sentinel: field i spans [bounds[i], bounds[i + 1] - 1).
  bounds[n] = source.length + 1;
  return n;
}

/** Field i of the last scanned payload as a string. */
export function fieldStr(i: number): string {
  return text.slice(bounds[i]!, bounds[i + 1]! - 1);
}

/** Whether field i is exactly the one-character string `ch` (no allocation). */
export function fieldIs(i: number, ch: string): boolean {
  const start = bounds[i]!;
  return bounds[i + 1]! - 1 - start === 1 && text.charCodeAt(start) === ch.charCodeAt(0);
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * Field i as a number; NaN when empty or not a plain decimal ("[+-]digits[.digits]").
 * Exact: mantissa and power of ten are both exact doubles (<= 15 digits), so the one division is
 * correctly rounded and equals Number(text); longer values fall back to Number().
 */
export function fieldNum(i: number): number {
  const src = text;
  const start = bounds[i]!;
  const end = bounds[i + 1]! - 1;
  let p = start;
  let c = p < end ? src.charCodeAt(p) : -1;
  let negative = false;
  if (c === 45 /* - */ || c === 43 /* + */) {
    negative = c === 45;
    c = ++p < end ? src.charCodeAt(p) : -1;
  }
  // Integer part: the common case (KRW prices, volumes) never leaves this loop.
  let mantissa = 0;
  const intStart = p;
  while (c >= 48 && c <= 57) {
    mantissa = mantissa * 10 + (c - 48);
    c = ++p < end ? src.charCodeAt(p) : -1;
  }
  let digits = p - intStart;
  let fraction = 0;
  if (c === 46 /* . */) {
    c = ++p < end ? src.charCodeAt(p) : -1;
    const fracStart = p;
    while (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      c = ++p < end ? src.charCodeAt(p) : -1;
    }
    fraction = p - fracStart;
    digits += fraction;
  }
  if (p !== end || digits === 0) return Number.NaN;
  if (digits > 15) return Number(src.slice(start, end));
  const value = fraction > 0 ? mantissa / POW10[fraction]! : mantissa;
  return negative ? -value : value;
}

/** Copies `count` numeric fields starting at index `from` into a new array (order-book levels). */
export function fieldNums(from: number, count: number): number[] {
  const out = new Array<number>(count);
  for (let k = 0; k < count; k++) out[k] = fieldNum(from + k);
  return out;
}

/** All fields [from, from + count) as strings (only when the caller asked to keep raw fields). */
export function fieldStrs(from: number, count: number): string[] {
  const out = new Array<string>(count);
  for (let k = 0; k < count; k++) out[k] = fieldStr(from + k);
  return out;
}
