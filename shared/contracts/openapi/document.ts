import { toJsonSchema, toJsonSchemaDefs, type ConversionConfig, type JsonSchema } from '@valibot/to-json-schema';
import { isDeepStrictEqual } from 'node:util';
import * as v from 'valibot';
import { functionDefinitions, type FunctionDefinition, type RouteDefinition } from '../function-manifest.js';
import { CustomMetricSchema } from '../evaluations/custom-metric-schemas.js';
import { ListEvaluationsQuerySchema, ListResultsQuerySchema } from '../evaluations/query-schemas.js';
import { JsonObjectSchema } from '../primitives.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PageQuerySchema } from '../pagination.js';
import { namedSchemas } from './components.js';
import { operations, type ErrorStatus, type OperationSpec, type ResponseSpec } from './registry.js';

/** An OpenAPI 3.1 document: plain JSON. */
export type OpenApiDocument = { openapi: '3.1.0'; paths: Record<string, Record<string, OpenApiOperation>> } & Record<string, unknown>;
export type OpenApiOperation = Record<string, unknown> & { operationId: string; responses: Record<string, Record<string, unknown>> };

export const API_VERSION = '3.0.0';
const BEARER = 'bearerAuth';

const schemaRef = (name: string) => `#/components/schemas/${name}`;
const nameOf = new Map<unknown, string>(Object.entries(namedSchemas).map(([name, schema]) => [schema, name]));

const conversion: ConversionConfig = {
  target: 'draft-2020-12',
  errorMode: 'throw',
  // Rules that compare fields or run code (model_id_2 ≠ model_id, a regex that compiles) have no JSON
  // Schema form (nor does a tool's parameters being a valid JSON Schema); the API still enforces them and
  // answers 400 naming the field.
  ignoreActions: ['check', 'partial_check', 'raw_check'],
  overrideRef: ({ referenceId }) => schemaRef(referenceId),
  // A metric is chosen by the input's type (a `lazy` schema), which the converter cannot see through.
  overrideSchema: ({ valibotSchema }) =>
    valibotSchema === CustomMetricSchema ? { anyOf: [{ $ref: schemaRef('MetricName') }, { $ref: schemaRef('MetricConfig') }] } : undefined,
};

/**
 * A named schema by reference (see `componentSchemas`), anything else inline: responses as their output
 * (a field with a default is always there), parameters as their input (text, before any transform).
 */
function jsonSchema(schema: v.GenericSchema, typeMode: 'input' | 'output'): JsonSchema {
  const name = nameOf.get(schema);
  if (name) return { $ref: schemaRef(name) };
  const { $schema: _dialect, ...converted } = toJsonSchema(schema, { ...conversion, typeMode });
  return converted;
}

/** A parameter, with the description its schema carries (`v.description`) lifted up to the parameter. */
function parameter(name: string, location: 'path' | 'query' | 'header', required: boolean, schema: JsonSchema, description?: string) {
  const { description: own, ...rest } = schema as JsonSchema & { description?: string };
  const text = description ?? own;
  return { name, in: location, required, ...(text ? { description: text } : {}), schema: rest };
}

/**
 * Query values arrive as text and some are read as numbers or booleans (`limit=20`, `failed=true`): the
 * document gives their meaning, which the string schemas before the transform cannot say.
 */
const queryValueTypes = new Map<unknown, JsonSchema>([
  [PageQuerySchema.entries.limit, { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE }],
  [ListResultsQuerySchema.entries.failed, { type: 'boolean', default: false }],
  [
    ListResultsQuerySchema.entries.escape_formulas,
    { type: 'boolean', default: true, description: v.getDescription(ListResultsQuerySchema.entries.escape_formulas.wrapped) },
  ],
  [
    ListEvaluationsQuerySchema.entries.tag,
    {
      type: 'string',
      examples: ['branch=main', 'branch=main,commit=3f2a9c1'],
      description: v.getDescription(ListEvaluationsQuerySchema.entries.tag.wrapped),
    },
  ],
]);

const standardQueryDescriptions: Record<string, string> = {
  limit: `Page size: 1 to ${MAX_PAGE_SIZE}, default ${DEFAULT_PAGE_SIZE}.`,
  cursor:
    'The `next_cursor` of the previous page, to read the next one. Opaque and bound to this list: a cursor from another list or tenant answers 400.',
};

type AnySchema = v.GenericSchema & { wrapped?: AnySchema; pipe?: readonly { kind: string; type: string }[] };
const transforms = (schema: AnySchema): boolean =>
  (schema.wrapped !== undefined && transforms(schema.wrapped)) ||
  (schema.pipe ?? []).some((item) => item.kind === 'transformation' || (item.kind === 'schema' && item !== schema && transforms(item as AnySchema)));

function queryParameters(query: NonNullable<OperationSpec['query']>) {
  return Object.entries(query.entries).map(([name, entry]) => {
    const valueType = queryValueTypes.get(entry);
    if (!valueType && transforms(entry as AnySchema)) {
      throw new Error(
        `Query parameter ${name} is transformed after parsing: add its type to queryValueTypes in shared/contracts/openapi/document.ts`,
      );
    }
    const schema = valueType ?? jsonSchema(entry, 'input');
    const required = entry.type !== 'optional' && entry.type !== 'nullish';
    return parameter(name, 'query', required, schema, (schema as { description?: string }).description ?? standardQueryDescriptions[name]);
  });
}

function pathParameters(route: RouteDefinition, spec: OperationSpec) {
  const names = [...route.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] ?? '');
  const described = spec.pathParams ?? {};
  if (names.join() !== Object.keys(described).join()) {
    throw new Error(
      `${route.method} ${route.path}: path parameters ${names.join(', ') || 'none'} but the registry describes ${Object.keys(described).join(', ') || 'none'}`,
    );
  }
  return names.map((name) => parameter(name, 'path', true, jsonSchema(described[name]!.schema, 'input'), described[name]!.description));
}

function headerParameters(spec: OperationSpec) {
  return Object.entries(spec.headers ?? {}).map(([name, header]) =>
    parameter(name, 'header', header.required ?? false, jsonSchema(header.schema, 'input')),
  );
}

function headerObjects(headers: ResponseSpec['headers']) {
  if (!headers) return undefined;
  return Object.fromEntries(
    Object.entries(headers).map(([name, header]) => [
      name,
      {
        description: header.description,
        ...(header.required ? { required: true } : {}),
        schema: header.schema ? jsonSchema(header.schema, 'output') : { type: 'string' },
      },
    ]),
  );
}

function responseObject(response: ResponseSpec) {
  const content: Record<string, unknown> = {};
  if (response.schema) {
    content['application/json'] = { schema: jsonSchema(response.schema, 'output'), ...(response.examples ? { examples: response.examples } : {}) };
  }
  for (const [mediaType, media] of Object.entries(response.media ?? {})) {
    content[mediaType] = { schema: { ...(media.schema ? jsonSchema(media.schema, 'output') : {}), description: media.description } };
  }
  const headers = headerObjects(response.headers);
  return {
    description: response.description,
    ...(headers ? { headers } : {}),
    ...(Object.keys(content).length > 0 ? { content } : {}),
  };
}

const defaultErrors: Record<ErrorStatus, string> = {
  400: 'The request is not valid (`validation_error`, or `malformed_json` for a body that is not JSON): `errors` names each field at fault.',
  401: 'No API key, or an unknown or revoked one (`unauthorized`). Without an Authorization header at all, API Gateway answers itself: `{ "message": "Unauthorized" }`.',
  403: 'The API key lacks the scope this route needs (`forbidden`).',
  404: 'Not found (`not_found`).',
  409: 'The request conflicts with the current state (`conflict`).',
  413: "The body is larger than the route's limit (`payload_too_large`).",
  415: 'The body is not sent as `application/json` (`unsupported_media_type`).',
  422: 'Well-formed, but refers to something that cannot be used.',
  429: "Throttled by API Gateway (its own body, `message` only): retry with backoff. Or the tenant's request-rate quota is reached (`quota_exceeded`, with `quota`, `limit` and `current`): retry after `Retry-After` seconds.",
  500: 'An unexpected failure: nothing about it is shown. Retry later.',
  503: 'A dependency is unavailable; retry after `Retry-After` seconds (`service_unavailable`).',
};

function errorStatuses(route: RouteDefinition, spec: OperationSpec): Partial<Record<ErrorStatus, string>> {
  const statuses: Partial<Record<ErrorStatus, string>> = {};
  if (spec.query)
    statuses[400] =
      'A query parameter is not valid (`validation_error`), e.g. `limit` out of range or a `cursor` this API did not issue for this list.';
  if (spec.body) {
    statuses[400] = defaultErrors[400];
    statuses[413] = defaultErrors[413];
    statuses[415] = spec.body.ndjson
      ? 'The body is sent as neither `application/json` nor `application/x-ndjson` (`unsupported_media_type`).'
      : defaultErrors[415];
  }
  if (route.authorized) {
    statuses[401] = defaultErrors[401];
    statuses[403] = defaultErrors[403];
  }
  if (spec.pathParams) statuses[404] = defaultErrors[404];
  statuses[429] = defaultErrors[429];
  statuses[500] = defaultErrors[500];
  return { ...statuses, ...spec.errors };
}

/**
 * API Gateway answers some statuses itself, with only `message`: 429 always, 401 when the Authorization
 * header is missing (the authorizer is not even called), 500 when a function cannot run. Arbiter's own
 * answers for those statuses are `Error`s.
 */
function errorSchema(status: ErrorStatus) {
  if (status === 429) return { $ref: schemaRef('GatewayError') };
  if (status === 401 || status === 500) return { anyOf: [{ $ref: schemaRef('Error') }, { $ref: schemaRef('GatewayError') }] };
  return { $ref: schemaRef('Error') };
}

function errorResponse(status: ErrorStatus, description: string) {
  return {
    description,
    ...(status === 401 ? { headers: { 'WWW-Authenticate': { description: "`Bearer` (Arbiter's own 401s).", schema: { type: 'string' } } } } : {}),
    ...(status === 503 ? { headers: { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'string' } } } } : {}),
    content: { 'application/json': { schema: errorSchema(status) } },
  };
}

function requestBody(spec: NonNullable<OperationSpec['body']>) {
  const name = nameOf.get(spec.schema);
  // Named, so that `componentSchemas` describes it as the input it is.
  if (!name) throw new Error(`A request body schema (${spec.description}) is not in shared/contracts/openapi/components.ts`);
  return {
    required: true,
    description: spec.description,
    content: {
      'application/json': {
        schema: { $ref: schemaRef(name) },
        ...(spec.examples ? { examples: spec.examples } : {}),
      },
      ...(spec.ndjson
        ? {
            'application/x-ndjson': {
              schema: { type: 'string', description: `${spec.ndjson} Each line is validated as the JSON body's part it stands for.` },
            },
          }
        : {}),
    },
  };
}

function operation(route: RouteDefinition, spec: OperationSpec): OpenApiOperation {
  const responses: Record<string, Record<string, unknown>> = {};
  for (const [status, response] of Object.entries(spec.responses)) responses[status] = responseObject(response);
  for (const [status, description] of Object.entries(errorStatuses(route, spec))) {
    if (responses[status]) throw new Error(`${route.method} ${route.path}: status ${status} is both a response and an error`);
    responses[status] = errorResponse(Number(status) as ErrorStatus, description);
  }
  const params = [...pathParameters(route, spec), ...(spec.query ? queryParameters(spec.query) : []), ...headerParameters(spec)];
  return {
    operationId: spec.operationId,
    tags: [spec.tag],
    summary: spec.summary,
    description: spec.description,
    // Public routes opt out of the document-wide bearer requirement.
    ...(route.authorized ? {} : { security: [] }),
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(spec.body ? { requestBody: requestBody(spec.body) } : {}),
    responses: Object.fromEntries(Object.entries(responses).sort(([a], [b]) => Number(a) - Number(b))),
  };
}

/**
 * A request body's schema starts by checking that the body is a JSON object at all (`JsonObjectSchema`),
 * then describes it: the document shows the description.
 */
function withoutObjectGuard(schema: v.GenericSchema): v.GenericSchema {
  const pipe = (schema as { pipe?: readonly v.PipeItem<unknown, unknown, v.BaseIssue<unknown>>[] }).pipe;
  if (!pipe || pipe[0] !== JsonObjectSchema) return schema;
  const [first, ...rest] = pipe.slice(1) as [v.GenericSchema, ...v.PipeItem<unknown, unknown, v.BaseIssue<unknown>>[]];
  return v.pipe(first, ...rest);
}

/**
 * `components.schemas`. A request body is described as its input (a field with a default may be left
 * out), everything else as its output (a field with a default is always there). A schema only request
 * bodies reach is an input too (a chat turn's content may be text parts, stored joined). A schema both
 * bodies and responses reach must read the same either way, or the document would be wrong for one of
 * them: that throws.
 */
function componentSchemas(paths: OpenApiDocument['paths']): Record<string, JsonSchema> {
  const bodies = new Set(Object.values(operations).flatMap((spec) => (spec.body ? [nameOf.get(spec.body.schema)!] : [])));
  const asInput = Object.fromEntries(
    Object.entries(namedSchemas).map(([name, schema]) => [name, bodies.has(name) ? withoutObjectGuard(schema) : schema]),
  );
  const inputs: Record<string, JsonSchema> = toJsonSchemaDefs(asInput, { ...conversion, typeMode: 'input' });
  const outputs: Record<string, JsonSchema> = toJsonSchemaDefs(namedSchemas, { ...conversion, typeMode: 'output' });
  const operationsOf = Object.values(paths).flatMap((byMethod) => Object.values(byMethod));
  const fromBodies = reachable(refsIn(operationsOf.map((op) => op.requestBody)), inputs);
  const fromResponses = reachable(refsIn(operationsOf.map((op) => op.responses)), outputs);
  const schemas: Record<string, JsonSchema> = {};
  for (const name of Object.keys(namedSchemas)) {
    const input = bodies.has(name) || (fromBodies.has(name) && !fromResponses.has(name));
    schemas[name] = input ? inputs[name]! : outputs[name]!;
    if (input || !fromBodies.has(name) || isDeepStrictEqual(inputs[name], outputs[name])) continue;
    throw new Error(`components.schemas.${name} is used by a request body and reads differently as input and output: name the two forms apart`);
  }
  return schemas;
}

const refPattern = /#\/components\/schemas\/([A-Za-z0-9]+)/g;
const refsIn = (value: unknown): string[] => [...JSON.stringify(value ?? null).matchAll(refPattern)].map(([, name]) => name!);

/** Every named schema `roots` refer to, directly or through other named schemas. */
function reachable(roots: readonly string[], schemas: Record<string, JsonSchema>): Set<string> {
  const seen = new Set<string>();
  const pending = [...roots];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    pending.push(...refsIn(schemas[name]));
  }
  return seen;
}

/** Every `kind: 'api'` route of the manifest, with its registry entry; throws when the two disagree. */
export function documentedRoutes(definitions: readonly FunctionDefinition[] = functionDefinitions) {
  const routes = definitions.filter((definition) => definition.kind === 'api').flatMap((definition) => definition.routes);
  const keys = new Set(routes.map((route) => `${route.method} ${route.path}`));
  const undocumented = [...keys].filter((key) => !operations[key]);
  const unrouted = Object.keys(operations).filter((key) => !keys.has(key));
  if (undocumented.length > 0 || unrouted.length > 0) {
    throw new Error(
      `The OpenAPI registry (shared/contracts/openapi/registry.ts) and shared/contracts/function-manifest.ts disagree: ` +
        [
          undocumented.length ? `routes without an entry: ${undocumented.join(', ')}` : '',
          unrouted.length ? `entries without a route: ${unrouted.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join('; '),
    );
  }
  return routes.map((route) => ({ route, spec: operations[`${route.method} ${route.path}`]! }));
}

const description = `Arbiter evaluates models against benchmarks: one model, or two side by side with paired statistics.

**Authentication.** Every route but \`GET /api/v3/health\` and \`GET /api/v3/openapi.json\` needs \`Authorization: Bearer <api_key>\`. A missing or unknown key answers 401; a key without the route's scope, 403. Another tenant's ids answer 404, exactly as ids that do not exist.

**Errors.** Every error is \`{ "code": "…", "message": "…", "errors": [{ "path": "model_id", "message": "…" }] }\` (the \`Error\` schema): 400 malformed JSON or invalid fields, 401/403 authentication, 404 unknown id, 409 state conflicts, 413 body too large, 415 wrong content type, 422 well-formed but unusable references, 429 throttled (API Gateway's own body: \`message\` only).

**Pagination.** Lists take \`limit\` (1–${MAX_PAGE_SIZE}, default ${DEFAULT_PAGE_SIZE}) and \`cursor\`, and answer \`{ "items": […], "next_cursor": "…" | null }\`: pass \`next_cursor\` back as \`cursor\` until it is \`null\`. Lists are newest first; benchmark items are in benchmark order.

**Ids and times.** Ids carry a type prefix (\`eval-…\`, \`task-…\`); timestamps are ISO-8601 UTC strings; field names are snake_case.`;

/** The OpenAPI 3.1 document of every HTTP route in the manifest, from the routes' own valibot schemas. */
export function buildOpenApiDocument(definitions: readonly FunctionDefinition[] = functionDefinitions): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const { route, spec } of documentedRoutes(definitions)) {
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = operation(route, spec);
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Arbiter API', version: API_VERSION, description },
    servers: [{ url: '/', description: 'The deployment serving this document' }],
    security: [{ [BEARER]: [] }],
    tags: [
      { name: 'Evaluations', description: 'Run a model (or two) against a benchmark and read the results.' },
      { name: 'Comparisons', description: 'Two finished evaluations compared item by item: a baseline and a candidate.' },
      { name: 'Benchmarks', description: 'Items to evaluate on, created from JSON or JSON Lines and appended to.' },
      { name: 'Models', description: 'Registered models and the built-in catalogue (including `baseline:…` models).' },
      { name: 'Webhooks', description: 'Completion webhooks: endpoints, signing secrets and the delivery log (docs/webhooks.md).' },
      { name: 'Service', description: 'Health and this document; no authentication.' },
    ],
    paths,
    components: {
      securitySchemes: {
        [BEARER]: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An Arbiter API key: `Authorization: Bearer <api_key>`. Locally, `npm start` prints a development key; `npm run api-key` creates more.',
        },
      },
      schemas: componentSchemas(paths),
    },
  };
}
