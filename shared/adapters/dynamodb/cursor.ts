import { InvalidCursorError } from '../../domain/errors.js';

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
  const invalid = new InvalidCursorError();
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
