// KIS continuation paging (fact sheet §3): the reply's body carries lowercase ctx_area_fk100/nk100 (100-char,
// blank-padded) and header tr_cont 'M' when more pages follow, else 'D'; the client echoes the cursors back as
// CTX_AREA_FK100/NK100 with request header tr_cont 'N'. The simulator's NK100 is the key of the last row served,
// so a page boundary survives rows being added in between (as KIS's key-based continuation does).
import { param, type RestContext } from './types.js';

export interface Page<T> {
  rows: T[];
  more: boolean;
  fk100: string;
  nk100: string;
}

const pad100 = (s: string): string => s.padEnd(100, ' ');

/** The continuation key of a request: set only with tr_cont 'N' and a non-blank NK100; else start over. */
export function continuationKey(ctx: RestContext): string | undefined {
  if (ctx.trCont !== 'N') return undefined;
  const key = param(ctx, 'CTX_AREA_NK100').trim();
  return key === '' ? undefined : key;
}

/** Cuts one page of `rows` (already in reply order) after the row whose key is afterKey. */
export function paginate<T>(rows: readonly T[], keyOf: (row: T) => string, afterKey: string | undefined, pageSize: number, fk: string): Page<T> {
  let start = 0;
  if (afterKey !== undefined) {
    const at = rows.findIndex((r) => keyOf(r) === afterKey);
    start = at >= 0 ? at + 1 : rows.length; // a vanished key ends the listing instead of replaying page 1
  }
  const slice = rows.slice(start, start + pageSize);
  const more = start + pageSize < rows.length;
  const last = slice.at(-1);
  return { rows: slice, more, fk100: pad100(fk), nk100: pad100(more && last !== undefined ? keyOf(last) : '') };
}
