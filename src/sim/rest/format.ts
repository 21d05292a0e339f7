// Wire formatting of KIS numbers: every value is a string; rates carry two decimals; signs use KIS codes
// (1 upper limit, 2 up, 3 unchanged, 4 lower limit, 5 down).

export function int(n: number): string {
  return String(Math.trunc(n));
}

export function fixed(n: number, digits: number): string {
  return Number.isFinite(n) ? n.toFixed(digits) : (0).toFixed(digits);
}

/** Change rate in percent with two decimals, e.g. "-1.25". */
export function rate(value: number, base: number): string {
  return base === 0 ? '0.00' : fixed(((value - base) / base) * 100, 2);
}

export function signCode(price: number, prevClose: number, upper?: number, lower?: number): string {
  if (upper !== undefined && price >= upper && price > prevClose) return '1';
  if (lower !== undefined && price <= lower && price < prevClose) return '4';
  if (price > prevClose) return '2';
  if (price < prevClose) return '5';
  return '3';
}
