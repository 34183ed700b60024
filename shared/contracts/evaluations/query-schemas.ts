import * as v from 'valibot';
import { BenchmarkIdSchema, ModelIdSchema } from '../identifiers.js';
import { PageQuerySchema } from '../pagination.js';
import { EvaluationStatusSchema } from './status.js';

/**
 * `tag=branch=main[,commit=3f2a9c1]`: the grammar of a `latest:` baseline, since `:` is legal in tag
 * names and `k:v` would be ambiguous; every pair must match.
 */
export const TagFilterSchema = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z0-9_.:-]{1,64}=[^,=]{1,256}(,[A-Za-z0-9_.:-]{1,64}=[^,=]{1,256}){0,19}$/, 'must be <tag>=<value>[,<tag>=<value>…]'),
  v.transform((text) => Object.fromEntries(text.split(',').map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]))),
  v.description('Only evaluations carrying every one of these tags: `branch=main` or `branch=main,commit=3f2a9c1`.'),
);

/** The query strings of `GET /evaluations` and `GET /evaluations/{id}/results`, as the handlers validate them. */

export const ListEvaluationsQuerySchema = v.object({
  ...PageQuerySchema.entries,
  status: v.optional(EvaluationStatusSchema),
  benchmark_id: v.optional(BenchmarkIdSchema),
  model_id: v.optional(ModelIdSchema),
  tag: v.optional(TagFilterSchema),
});
export type ListEvaluationsQuery = v.InferOutput<typeof ListEvaluationsQuerySchema>;

export const ListResultsQuerySchema = v.object({
  ...PageQuerySchema.entries,
  model_id: v.optional(ModelIdSchema),
  failed: v.optional(
    v.pipe(
      v.picklist(['true', 'false'], 'must be true or false'),
      v.transform((value) => value === 'true'),
    ),
    'false',
  ),
  /** `json` pages (the default); `csv` or `jsonl` export every result, continued by the `x-arbiter-next-cursor` header. */
  format: v.optional(v.picklist(['json', 'csv', 'jsonl'], 'must be one of: json, csv, jsonl'), 'json'),
  /** CSV only: `false` writes cells that start with = + - @ tab or CR verbatim instead of prefixing `'`. */
  escape_formulas: v.optional(
    v.pipe(
      v.picklist(['true', 'false'], 'must be true or false'),
      v.transform((value) => value === 'true'),
      v.description(
        "CSV only. By default a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return (or their full-width forms) gets a leading `'`, so a spreadsheet shows the text instead of running it as a formula: answers come from models, and a model's answer can be `=HYPERLINK(…)`. `false` writes every cell verbatim.",
      ),
    ),
    'true',
  ),
});
export type ListResultsQuery = v.InferOutput<typeof ListResultsQuerySchema>;
