import { z } from 'zod';
import { validationProblem, HttpProblem } from './problem.js';

/**
 * Cursor pagination: `?cursor=&limit=` → `{ items, next_cursor }`. A cursor is opaque to clients
 * (base64url JSON of the last item's sort key), so the sort key can change without breaking them.
 */
export const pageQuery = {
  cursor: z.string().max(512).optional().describe('next_cursor of the previous page; omit for the first page'),
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('items per page (1-500)'),
};

/** A page of items, named `id` in /openapi.json (call once per item schema, at module level). */
export function pageOf<T extends z.ZodType>(item: T, id: string) {
  return z.strictObject({ items: z.array(item), next_cursor: z.string().nullable().describe('pass as ?cursor= for the next page; null on the last page') }).meta({ id });
}

export function encodeCursor(key: unknown): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor<T>(cursor: string | undefined, schema: z.ZodType<T>): T | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const r = schema.safeParse(parsed);
  if (!r.success) {
    throw new HttpProblem(
      validationProblem('querystring', [{ field: 'cursor', code: 'invalid', message: 'is not one this API issued', fix: 'pass next_cursor from the previous page unchanged, or omit it' }]),
    );
  }
  return r.data;
}

/** Given limit + 1 rows, the page and the cursor for the next one. */
export function paginate<R, K>(rows: R[], limit: number, keyOf: (r: R) => K): { items: R[]; next_cursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, next_cursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
}
