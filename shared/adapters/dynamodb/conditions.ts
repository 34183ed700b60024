/**
 * Condition expressions built from named pieces. Each piece carries the attribute names and values it
 * refers to, and the store that defines it says which race it prevents.
 */

type Names = Record<string, string>;
type Values = Record<string, unknown>;

export interface Condition {
  expression: string;
  names?: Names;
  values?: Values;
}

/** The item exists: an update without this would create a stray item holding only the updated attributes. */
export const itemExists: Condition = { expression: 'attribute_exists(pk)' };

/** No item has this key yet: a put that must not overwrite one. */
export const itemAbsent: Condition = { expression: 'attribute_not_exists(pk)' };

/** Every piece holds. */
export function allOf(...pieces: readonly Condition[]): Condition {
  return combine(pieces, ' AND ');
}

/** At least one piece holds; parenthesised, so that it can be one piece of `allOf`. */
export function anyOf(...pieces: readonly Condition[]): Condition {
  const either = combine(pieces, ' OR ');
  return { ...either, expression: `(${either.expression})` };
}

function combine(pieces: readonly Condition[], separator: string): Condition {
  return {
    expression: pieces.map((piece) => piece.expression).join(separator),
    names: merged(pieces.map((piece) => piece.names)),
    values: merged(pieces.map((piece) => piece.values)),
  };
}

/** All placeholders in one map; undefined when there are none, since DynamoDB refuses an empty map. */
function merged<T>(maps: readonly (Record<string, T> | undefined)[]): Record<string, T> | undefined {
  const all: Record<string, T> = {};
  for (const map of maps) {
    for (const [placeholder, meaning] of Object.entries(map ?? {})) {
      // Two pieces giving one placeholder different meanings would silently test the wrong thing.
      if (placeholder in all && all[placeholder] !== meaning) throw new Error(`The placeholder ${placeholder} is given two meanings`);
      all[placeholder] = meaning;
    }
  }
  return Object.keys(all).length > 0 ? all : undefined;
}

/** A write request with `condition` as its ConditionExpression, its names and values merged with the request's own. */
export function withCondition<T extends object>(
  request: T & { ExpressionAttributeNames?: Names; ExpressionAttributeValues?: Values },
  condition: Condition,
): Omit<T, 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> & {
  ConditionExpression: string;
  ExpressionAttributeNames?: Names;
  ExpressionAttributeValues?: Values;
} {
  const { ExpressionAttributeNames: ownNames, ExpressionAttributeValues: ownValues, ...rest } = request;
  const names = merged([ownNames, condition.names]);
  const values = merged([ownValues, condition.values]);
  return {
    ...rest,
    ConditionExpression: condition.expression,
    ...(names ? { ExpressionAttributeNames: names } : {}),
    ...(values ? { ExpressionAttributeValues: values } : {}),
  };
}
