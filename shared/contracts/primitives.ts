import * as v from 'valibot';

/**
 * Building blocks of response schemas. Requests are validated by the handlers' own schemas; responses
 * are described here so the OpenAPI document, the generated client and the domain types share them.
 * Also the JSON-object check every request body schema starts from.
 */

/** ISO-8601 UTC, to the second (`2024-01-15T10:30:00Z`), as the API contract's examples. */
export const TimestampSchema = v.pipe(v.string(), v.isoTimestamp(), v.examples(['2024-01-15T10:30:00Z']));

export const CountSchema = v.pipe(v.number(), v.integer(), v.minValue(0));

export const FieldErrorSchema = v.pipe(
  v.strictObject({
    path: v.pipe(v.string(), v.description('Dotted path of the offending field (`custom_metrics.1.name`); empty for the body itself.')),
    message: v.string(),
  }),
  v.description('One problem with the request, located by its field.'),
);

export const ErrorBodySchema = v.pipe(
  v.strictObject({
    code: v.pipe(
      v.string(),
      v.description('Stable, machine-readable reason (`validation_error`, `not_found`, `unknown_model`, …).'),
      v.examples(['validation_error']),
    ),
    message: v.pipe(v.string(), v.description("A sentence for people; for statuses API Gateway also answers it matches the gateway's own message.")),
    errors: v.optional(v.array(FieldErrorSchema)),
  }),
  v.description('Every error Arbiter answers: one code, one message, and the fields at fault.'),
);

/**
 * What API Gateway itself answers when it throttles (429), when the Authorization header is missing (401)
 * or when a function cannot run (500): only `message`, which is why Arbiter's own errors carry the same
 * field. `code` and `errors` are there when Arbiter answered, so one shape reads both.
 */
export const GatewayErrorSchema = v.pipe(
  v.object({
    message: v.string(),
    code: v.optional(v.string()),
    errors: v.optional(v.array(FieldErrorSchema)),
  }),
  v.description('An error answered by API Gateway before Arbiter runs (`message` only), or by Arbiter (an `Error`).'),
);

/** A page of a list: `items`, newest first unless the route says otherwise, and the cursor to the next. */
export function pageSchema<TItem extends v.GenericSchema>(item: TItem, itemsDescription: string) {
  return v.strictObject({
    items: v.pipe(v.array(item), v.description(itemsDescription)),
    next_cursor: v.pipe(
      v.nullable(v.string()),
      v.description('Pass as `cursor` to read the next page; `null` on the last page. Opaque: do not parse or build one.'),
    ),
  });
}

/** A JSON object and nothing else: valibot's object schemas would take an array for one. */
export const JsonObjectSchema = v.pipe(
  v.unknown(),
  v.check((input) => typeof input === 'object' && input !== null && !Array.isArray(input), 'the body must be a JSON object'),
);
