import * as v from 'valibot';
import { ValidationError, type FieldError } from '../../domain/errors.js';

/** valibot issues as the API's `errors` list: a dotted field path and a sentence a person can act on. */
export function toFieldErrors(issues: readonly v.BaseIssue<unknown>[]): FieldError[] {
  return issues.map((issue) => ({ path: v.getDotPath(issue) ?? '', message: issue.message }));
}

export function parseOrThrow<TSchema extends v.GenericSchema>(schema: TSchema, input: unknown, message?: string): v.InferOutput<TSchema> {
  const result = v.safeParse(schema, input, { abortPipeEarly: true });
  if (!result.success) throw new ValidationError(toFieldErrors(result.issues), message);
  return result.output;
}
