// What a DART wire parser returns: the value, or why the body does not have the documented shape. A reason
// names field paths only, never values (a value could be anything the server sent).
import type { z } from 'zod';

export type ParseOutcome<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Runs a zod schema and turns its issues into one short reason ("list[3].rcept_no: expected …"). */
export function parseWith<S extends z.ZodType, T>(schema: S, input: unknown, map: (v: z.infer<S>) => T): ParseOutcome<T> {
  const r = schema.safeParse(input);
  if (r.success) return { ok: true, value: map(r.data) };
  const reason = r.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.map(String).join('.') || '(body)'}: ${i.message}`)
    .join('; ');
  return { ok: false, reason };
}
