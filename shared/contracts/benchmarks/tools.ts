import * as v from 'valibot';

/**
 * Tool calls: a benchmark offers tools (JSON Schema parameters) to the model, items may say which calls
 * they expect, and every provider's answer is read into one shape, `{name, arguments}`.
 */
export const MAX_TOOLS = 64;
export const MAX_EXPECTED_TOOL_CALLS = 32;
/** Bounds that keep a tenant's schema cheap to check and to send with every item. */
export const MAX_TOOL_SCHEMA_BYTES = 16 * 1024;
export const MAX_TOOL_SCHEMA_DEPTH = 12;
const MAX_ARGUMENTS_BYTES = 16 * 1024;

const ToolNameSchema = v.pipe(
  v.string('must be a string'),
  // The strictest of the three providers' rules (OpenAI and Bedrock allow these characters, up to 64).
  v.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1 to 64 letters, digits, _ or -'),
);

const jsonTypes = new Set(['object', 'array', 'string', 'number', 'integer', 'boolean', 'null']);
/** Keywords whose value is one schema, a map of schemas, or a list of schemas. */
const schemaKeywords = new Set(['items', 'additionalProperties', 'not', 'contains', 'propertyNames', 'if', 'then', 'else']);
const schemaMapKeywords = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
const schemaListKeywords = new Set(['anyOf', 'oneOf', 'allOf', 'prefixItems']);
const stringKeywords = new Set(['description', 'title', 'format', 'pattern', '$ref', '$schema', '$id', '$comment']);
const numberKeywords = new Set(['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf']);
const countKeywords = new Set(['minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties', 'minContains', 'maxContains']);
const anyValueKeywords = new Set(['enum', 'const', 'default', 'examples']);
const booleanKeywords = new Set(['uniqueItems', 'nullable', 'deprecated', 'readOnly', 'writeOnly']);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The problems of a tool's `parameters` as `{path, message}`, paths relative to it: a JSON Schema object
 * whose top level is `type: "object"` (what every provider requires), made of known keywords with values
 * of the right kind, nested at most MAX_TOOL_SCHEMA_DEPTH deep and at most MAX_TOOL_SCHEMA_BYTES long.
 * An unknown keyword is refused rather than passed on: it is most often a typo that silently loosens the
 * schema the model is told to follow.
 */
export function toolSchemaProblems(schema: unknown): Array<{ path: string; message: string }> {
  if (!isObject(schema)) return [{ path: '', message: 'must be a JSON Schema object' }];
  if (Buffer.byteLength(JSON.stringify(schema)) > MAX_TOOL_SCHEMA_BYTES) {
    return [{ path: '', message: `must be at most ${MAX_TOOL_SCHEMA_BYTES} bytes of JSON` }];
  }
  const problems: Array<{ path: string; message: string }> = [];
  if (schema.type !== 'object') problems.push({ path: 'type', message: 'must be "object" at the top level' });
  walk(schema, '', 1, problems);
  return problems.slice(0, 20);
}

function walk(schema: unknown, path: string, depth: number, problems: Array<{ path: string; message: string }>): void {
  const at = (key: string) => (path ? `${path}.${key}` : key);
  if (typeof schema === 'boolean') return;
  if (!isObject(schema)) {
    problems.push({ path, message: 'must be a schema (an object or a boolean)' });
    return;
  }
  if (depth > MAX_TOOL_SCHEMA_DEPTH) {
    problems.push({ path, message: `nests deeper than ${MAX_TOOL_SCHEMA_DEPTH} levels` });
    return;
  }
  for (const [key, value] of Object.entries(schema)) {
    const here = at(key);
    if (key === 'type') {
      const types = Array.isArray(value) ? value : [value];
      if (types.length === 0 || !types.every((type) => typeof type === 'string' && jsonTypes.has(type))) {
        problems.push({ path: here, message: 'must be a JSON type (object, array, string, number, integer, boolean, null) or a list of them' });
      }
    } else if (key === 'required') {
      if (!Array.isArray(value) || !value.every((name) => typeof name === 'string'))
        problems.push({ path: here, message: 'must be a list of property names' });
    } else if (key === 'dependentRequired') {
      if (!isObject(value)) problems.push({ path: here, message: 'must be an object of property-name lists' });
    } else if (schemaKeywords.has(key)) {
      if (key === 'items' && Array.isArray(value)) for (const [index, item] of value.entries()) walk(item, `${here}.${index}`, depth + 1, problems);
      else walk(value, here, depth + 1, problems);
    } else if (schemaMapKeywords.has(key)) {
      if (!isObject(value)) problems.push({ path: here, message: 'must be an object of schemas' });
      else for (const [name, sub] of Object.entries(value)) walk(sub, `${here}.${name}`, depth + 1, problems);
    } else if (schemaListKeywords.has(key)) {
      if (!Array.isArray(value) || value.length === 0) problems.push({ path: here, message: 'must be a non-empty list of schemas' });
      else for (const [index, sub] of value.entries()) walk(sub, `${here}.${index}`, depth + 1, problems);
    } else if (stringKeywords.has(key)) {
      if (typeof value !== 'string') problems.push({ path: here, message: 'must be a string' });
    } else if (numberKeywords.has(key)) {
      if (typeof value !== 'number') problems.push({ path: here, message: 'must be a number' });
    } else if (countKeywords.has(key)) {
      if (!Number.isInteger(value) || (value as number) < 0) problems.push({ path: here, message: 'must be a non-negative integer' });
    } else if (booleanKeywords.has(key)) {
      if (typeof value !== 'boolean') problems.push({ path: here, message: 'must be a boolean' });
    } else if (anyValueKeywords.has(key)) {
      if (key === 'enum' && (!Array.isArray(value) || value.length === 0)) problems.push({ path: here, message: 'must be a non-empty list' });
    } else {
      problems.push({ path: here, message: `is not a known JSON Schema keyword` });
    }
  }
}

const ToolParametersSchema = v.pipe(
  v.record(v.string(), v.unknown(), 'must be a JSON Schema object'),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    for (const problem of toolSchemaProblems(dataset.value)) {
      const keys = problem.path ? problem.path.split('.') : [];
      const path = keys.map((key) => ({ type: 'object' as const, origin: 'value' as const, input: {}, key, value: undefined }));
      addIssue({ message: problem.message, ...(path.length > 0 ? { path: path as [(typeof path)[number], ...typeof path] } : {}) });
    }
  }),
);

export const ToolDefinitionSchema = v.strictObject(
  {
    name: ToolNameSchema,
    description: v.optional(v.pipe(v.string('must be a string'), v.maxLength(4000, 'must be at most 4000 characters'))),
    parameters: v.pipe(
      ToolParametersSchema,
      v.description('A JSON Schema object with `type: "object"` at the top: the arguments the model is to call the tool with.'),
    ),
  },
  (issue) => (issue.expected === 'never' ? 'is not a known field' : 'is required'),
);
export type ToolDefinition = v.InferOutput<typeof ToolDefinitionSchema>;

export const ToolsSchema = v.pipe(
  v.array(ToolDefinitionSchema, 'must be an array of tools'),
  v.minLength(1, 'must offer at least one tool'),
  v.maxLength(MAX_TOOLS, `may offer at most ${MAX_TOOLS} tools`),
  v.check((tools) => new Set(tools.map((tool) => tool.name)).size === tools.length, 'tool names must be unique'),
);

/** `auto` (the model decides), `required` (some tool), `none` (no tool), or one named tool. */
export const ToolChoiceSchema = v.union(
  [
    v.picklist(['auto', 'required', 'none']),
    v.strictObject({ type: v.literal('tool'), name: ToolNameSchema }, (issue) =>
      issue.expected === 'never' ? 'is not a known field' : 'is required',
    ),
  ],
  'must be "auto", "required", "none" or {"type": "tool", "name": …}',
);
export type ToolChoice = v.InferOutput<typeof ToolChoiceSchema>;

const ArgumentsSchema = v.pipe(
  v.record(v.string(), v.unknown(), 'must be a JSON object'),
  v.check((args) => Buffer.byteLength(JSON.stringify(args)) <= MAX_ARGUMENTS_BYTES, `must be at most ${MAX_ARGUMENTS_BYTES} bytes of JSON`),
);

export const ExpectedToolCallSchema = v.strictObject(
  {
    name: ToolNameSchema,
    arguments: v.optional(ArgumentsSchema),
  },
  (issue) => (issue.expected === 'never' ? 'is not a known field' : 'is required'),
);
export type ExpectedToolCall = v.InferOutput<typeof ExpectedToolCallSchema>;

export const ExpectedToolCallsSchema = v.pipe(
  v.array(ExpectedToolCallSchema, 'must be an array of {name, arguments?} calls'),
  v.maxLength(MAX_EXPECTED_TOOL_CALLS, `may hold at most ${MAX_EXPECTED_TOOL_CALLS} calls`),
);

/**
 * A tool call as stored and shown, whichever provider made it. Arguments a provider sent as text that is
 * not a JSON object are kept as that text with `arguments_invalid`, so the answer is shown as it came and
 * scores as a wrong call instead of failing the item.
 */
export const ToolCallSchema = v.strictObject({
  name: v.string(),
  arguments: v.union([v.record(v.string(), v.unknown()), v.string()]),
  arguments_invalid: v.optional(
    v.pipe(v.literal(true), v.description('`arguments` is the raw text the model sent: it did not parse as a JSON object.')),
  ),
});
export type ToolCall = v.InferOutput<typeof ToolCallSchema>;

/** OpenAI sends arguments as JSON text; anything but a JSON object is kept raw and flagged. */
export function toolCallFromText(name: string, text: string): ToolCall {
  try {
    const parsed: unknown = JSON.parse(text);
    if (isObject(parsed)) return { name, arguments: parsed };
  } catch {
    // fall through: kept raw
  }
  return { name, arguments: text, arguments_invalid: true };
}

/** Anthropic and Bedrock send arguments as a JSON value already; only an object is a valid call. */
export function toolCallFromValue(name: string, value: unknown): ToolCall {
  if (isObject(value)) return { name, arguments: value };
  return { name, arguments: JSON.stringify(value ?? null), arguments_invalid: true };
}

/** The shapes as the API shows them (stored values, already checked). */
export const ToolDefinitionViewSchema = v.strictObject({
  name: v.string(),
  description: v.optional(v.string()),
  parameters: v.record(v.string(), v.unknown()),
});
export const ExpectedToolCallViewSchema = v.strictObject({ name: v.string(), arguments: v.optional(v.record(v.string(), v.unknown())) });
