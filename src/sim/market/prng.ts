// Seeded pseudo-random numbers for the synthetic market and fault probabilities. Math.random is never used:
// every draw is a pure function of (seed, keys) so the same seed replays the same market and the same faults.

/** FNV-1a over the UTF-16 code units of text, finished with a murmur3 avalanche. Returns uint32. */
export function hash32(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/** murmur3 finaliser: spreads every input bit over the output. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Combines uint32 keys into one uint32 seed (order matters). */
export function mixKeys(...keys: number[]): number {
  let h = 0x9e3779b9;
  for (const k of keys) h = fmix32((h ^ (k >>> 0)) + 0x9e3779b9 + (h << 6) + (h >>> 2));
  return h >>> 0;
}

/** mulberry32: a fast 32-bit generator; returns draws in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box–Muller) from a uniform generator. */
export function gaussian(next: () => number): number {
  const u = Math.max(next(), 1e-12);
  const v = next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** One uniform draw in [0, 1) keyed by (seed, keys): the same arguments always give the same number. */
export function keyedUnit(seed: number, ...keys: number[]): number {
  return mulberry32(mixKeys(seed, ...keys))();
}
