import type { FieldError } from '../../domain/errors.js';

/**
 * Deepest nesting a body may have (the body itself is level 0). Bodies are stored as sent, and DynamoDB
 * refuses items nested more than 32 levels; 20 leaves room for the levels a record adds around them.
 */
export const MAX_BODY_DEPTH = 20;
/** DynamoDB stores no non-zero number closer to zero than this. */
const SMALLEST_MAGNITUDE = 1e-130;
const MAX_PROBLEMS = 20;

const unpairedSurrogate = /\p{Cs}/u;

/**
 * What in a parsed body DynamoDB would refuse to store: strings that are not valid Unicode (an unpaired
 * surrogate, which JSON's `\ud800` escape can carry), empty object keys, numbers beyond what the SDK
 * marshals exactly (safe integers) or DynamoDB holds, and nesting deeper than `MAX_BODY_DEPTH`. Such a
 * body passes any field schema and then fails at the write, a 500 for a client's mistake; checked for
 * every route, it answers 400 naming the field. Iterative, so a body nested thousands deep cannot
 * overflow the stack that checks it.
 */
export function storageProblems(body: unknown): FieldError[] {
  const problems: FieldError[] = [];
  const pending: { value: unknown; path: string; depth: number }[] = [{ value: body, path: '', depth: 0 }];
  const join = (path: string, key: string | number) => (path ? `${path}.${key}` : String(key));
  while (pending.length > 0 && problems.length < MAX_PROBLEMS) {
    const { value, path, depth } = pending.pop()!;
    if (typeof value === 'string') {
      if (unpairedSurrogate.test(value)) problems.push({ path, message: 'is not valid Unicode: it holds an unpaired UTF-16 surrogate' });
    } else if (typeof value === 'number') {
      const storable = Number.isInteger(value) ? Number.isSafeInteger(value) : Math.abs(value) >= SMALLEST_MAGNITUDE;
      if (!storable)
        problems.push({
          path,
          message: `is a number that cannot be stored exactly: integers up to ${Number.MAX_SAFE_INTEGER} in magnitude, fractions from 1e-130`,
        });
    } else if (typeof value === 'object' && value !== null) {
      if (depth >= MAX_BODY_DEPTH) {
        problems.push({ path, message: `nests deeper than ${MAX_BODY_DEPTH} levels` });
        continue;
      }
      const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((item, index) => [index, item]) : Object.entries(value);
      for (const [key, item] of entries) {
        if (key === '') problems.push({ path, message: 'has an empty key' });
        else if (typeof key === 'string' && unpairedSurrogate.test(key)) problems.push({ path, message: 'has a key that is not valid Unicode' });
        pending.push({ value: item, path: join(path, key), depth: depth + 1 });
      }
    }
  }
  return problems;
}
