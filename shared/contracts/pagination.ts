import * as v from 'valibot';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** `?limit=&cursor=` as every list route accepts them. */
export const PageQuerySchema = v.object({
  limit: v.optional(
    v.pipe(
      v.string(),
      // Leading zeros name the same whole number; the digit count is bounded so Number() stays exact.
      v.regex(/^0*\d{1,3}$/, `must be a whole number from 1 to ${MAX_PAGE_SIZE}`),
      v.transform(Number),
      v.minValue(1, `must be a whole number from 1 to ${MAX_PAGE_SIZE}`),
      v.maxValue(MAX_PAGE_SIZE, `must be a whole number from 1 to ${MAX_PAGE_SIZE}`),
    ),
    String(DEFAULT_PAGE_SIZE),
  ),
  cursor: v.optional(v.pipe(v.string(), v.nonEmpty('must not be empty'), v.maxLength(2048, 'is not a cursor this API issued'))),
});
export type PageQuery = v.InferOutput<typeof PageQuerySchema>;

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}
