import * as v from 'valibot';

/**
 * The ids and names requests carry and responses echo (models, benchmarks, metrics). Request and response
 * schemas of every resource build on them, so they sit in this leaf module, which imports none of those.
 */

/**
 * Model ids and metric names become object keys (per-model progress, per-metric scores): one that names a
 * property every object has (`__proto__`, `constructor`, `toString`…) would corrupt those objects.
 */
const notAnObjectProperty = v.check((name: string) => !(name in Object.prototype), 'is a reserved name');

/** Model ids fit one URL path segment: letters, digits and `.` `_` `:` `-` (Bedrock ids use `:`). */
export const ModelIdSchema = v.pipe(
  v.string('must be a string'),
  v.nonEmpty('must not be empty'),
  v.maxLength(200, 'must be at most 200 characters'),
  v.regex(/^[A-Za-z0-9._:-]+$/, 'may contain only letters, digits and . _ : -'),
  notAnObjectProperty,
);

export const BenchmarkIdSchema = v.pipe(
  v.string('must be a string'),
  v.nonEmpty('must not be empty'),
  v.maxLength(200, 'must be at most 200 characters'),
  v.regex(/^[A-Za-z0-9._:-]+$/, 'may contain only letters, digits and . _ : -'),
);

export const MetricNameSchema = v.pipe(
  v.string('must be a metric name or a configuration object'),
  v.regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be lower-case letters, digits and _, starting with a letter (at most 64)'),
  notAnObjectProperty,
);
