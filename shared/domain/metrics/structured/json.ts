import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { compileMetricRegex, PatternError } from '../lexical/regex.js';

/** The output as JSON, or undefined when it is not valid JSON (surrounding whitespace allowed). */
export function parseJsonOutput(output: string): { value: unknown } | undefined {
  const text = output.trim();
  if (text === '') return undefined;
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

/** 1 when the whole output is valid JSON. A Markdown code fence around it is not JSON, so it scores 0. */
export function jsonValid(output: string): 0 | 1 {
  return parseJsonOutput(output) ? 1 : 0;
}

export class JsonSchemaError extends Error {
  /** Where in the schema the fault is (`properties.name.pattern`), when it is known. */
  readonly path?: string;

  constructor(message: string, path?: string) {
    super(message);
    this.name = 'JsonSchemaError';
    if (path !== undefined) this.path = path;
  }
}

// Ajv compiles `pattern` and `patternProperties` with this engine instead of `new RegExp`, so a tenant's
// pattern matches in linear time (see lexical/regex.ts). `code` names it for Ajv's standalone mode,
// which Arbiter does not use.
const linearRegExp = Object.assign((pattern: string, flags: string) => compileMetricRegex(pattern, flags), { code: 'linearRegExp' });

// One validator instance per draft, chosen by the schema's `$schema` (draft-07 when absent, Ajv's default).
// `strict: false` because user schemas often carry annotations Ajv does not know; formats are not
// validated because ajv-formats is not a dependency (an unknown format would otherwise fail compilation),
// which also keeps Ajv from running format regexes. `$data` stays off: with it Ajv would build patterns
// from the validated data at run time.
const options = { strict: false, validateFormats: false, allErrors: false, code: { regExp: linearRegExp } } as const;
let validators: { draft07: Ajv; draft2019: Ajv2019; draft2020: Ajv2020 } | undefined;

function validatorFor(schema: Record<string, unknown>): Ajv | Ajv2019 | Ajv2020 {
  validators ??= { draft07: new Ajv(options), draft2019: new Ajv2019(options), draft2020: new Ajv2020(options) };
  const dialect = typeof schema.$schema === 'string' ? schema.$schema : '';
  if (dialect.includes('2020-12')) return validators.draft2020;
  if (dialect.includes('2019-09')) return validators.draft2019;
  return validators.draft07;
}

/** JSON with object keys sorted, so schemas equal up to key order share one compiled validator. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

// Keywords whose values are schemas, by shape; `const`, `enum`, `default` and `examples` hold data, not schemas.
const schemaMaps = ['properties', 'patternProperties', 'definitions', '$defs', 'dependentSchemas', 'dependencies'];
const schemaLists = ['allOf', 'anyOf', 'oneOf', 'prefixItems', 'items'];
const schemaValues = [
  'items',
  'additionalItems',
  'additionalProperties',
  'contains',
  'propertyNames',
  'not',
  'if',
  'then',
  'else',
  'unevaluatedItems',
  'unevaluatedProperties',
];

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Every `pattern` and `patternProperties` key in a schema, with its path, for errors that say where. */
function patternsIn(schema: unknown, path: string[] = []): { pattern: string; path: string[] }[] {
  if (!isObject(schema)) return [];
  const found: { pattern: string; path: string[] }[] = [];
  if (typeof schema.pattern === 'string') found.push({ pattern: schema.pattern, path: [...path, 'pattern'] });
  if (isObject(schema.patternProperties))
    for (const key of Object.keys(schema.patternProperties)) found.push({ pattern: key, path: [...path, 'patternProperties', key] });
  for (const keyword of schemaMaps) {
    const map = schema[keyword];
    if (isObject(map)) for (const [key, value] of Object.entries(map)) found.push(...patternsIn(value, [...path, keyword, key]));
  }
  for (const keyword of schemaLists) {
    const list = schema[keyword];
    if (Array.isArray(list)) for (const [index, value] of list.entries()) found.push(...patternsIn(value, [...path, keyword, String(index)]));
  }
  for (const keyword of schemaValues) found.push(...patternsIn(schema[keyword], [...path, keyword]));
  return found;
}

/** Refuses, with its path, a pattern that cannot run in linear time; Ajv's engine would refuse it too, without saying where. */
function checkPatterns(schema: Record<string, unknown>): void {
  for (const { pattern, path } of patternsIn(schema)) {
    try {
      compileMetricRegex(pattern, 'u');
    } catch (error) {
      if (error instanceof PatternError) throw new JsonSchemaError(`${path.join('.')}: ${error.message}`, path.join('.'));
      throw error;
    }
  }
}

/**
 * Compiled validators by schema. Compilation generates code and costs milliseconds, validation costs
 * microseconds, so each schema compiles once; bounded because a long-lived evaluator sees many tenants.
 */
const compiled = new Map<string, ValidateFunction>();
const maxCached = 128;

/** The compiled validator of a schema; throws JsonSchemaError when the schema itself is invalid. */
export function compileJsonSchema(schema: Record<string, unknown>): ValidateFunction {
  const key = canonicalJson(schema);
  let validate = compiled.get(key);
  if (!validate) {
    checkPatterns(schema);
    try {
      // Ajv keeps compiled schemas by `$id`; a copy without it avoids "schema already exists" when two
      // different schemas reuse an id.
      const { $id: _ignored, ...anonymous } = schema;
      validate = validatorFor(schema).compile(anonymous);
    } catch (error) {
      throw new JsonSchemaError(`invalid JSON Schema: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (compiled.size >= maxCached) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, validate);
  }
  return validate;
}

/** 1 when the output is JSON that satisfies the schema; 0 when it is not JSON or does not. */
export function jsonSchemaMatch(output: string, schema: Record<string, unknown>): 0 | 1 {
  const validate = compileJsonSchema(schema);
  const parsed = parseJsonOutput(output);
  return parsed && validate(parsed.value) ? 1 : 0;
}
