import * as v from 'valibot';
import { ValidationError } from '../domain/errors.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** `?limit=&cursor=` as every list route accepts them. */
export const PageQuerySchema = v.object({
  limit: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,3}$/, `must be a whole number from 1 to ${MAX_PAGE_SIZE}`),
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

type StorageKey = Record<string, string>;

/** A cursor is DynamoDB's LastEvaluatedKey, opaque to clients: base64url JSON they should not read. */
export function encodeCursor(key: Record<string, unknown> | undefined): string | null {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : null;
}

/**
 * Reads a cursor back, refusing anything this API would not have issued for this very listing: a
 * tampered cursor, or one taken from another tenant's or another list's pages, answers 400 and never
 * reaches DynamoDB as a start key.
 */
export function decodeCursor(cursor: string | undefined, expected: { fixed: StorageKey; keys: readonly string[] }): StorageKey | undefined {
  if (cursor === undefined) return undefined;
  const invalid = new ValidationError([{ path: 'cursor', message: 'is not a cursor this API issued for this list' }], 'The query string is not valid');
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  if (typeof key !== 'object' || key === null || Array.isArray(key)) throw invalid;
  const entries = Object.entries(key);
  const allowed = new Set([...Object.keys(expected.fixed), ...expected.keys]);
  if (entries.length !== allowed.size) throw invalid;
  for (const [name, value] of entries) {
    // DynamoDB refuses an empty key value in ExclusiveStartKey with a ValidationException: a 500, were it let through.
    if (!allowed.has(name) || typeof value !== 'string' || value === '' || value.length > 512) throw invalid;
    if (name in expected.fixed && expected.fixed[name] !== value) throw invalid;
  }
  return key as StorageKey;
}
