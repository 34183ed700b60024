/**
 * Fuzz cases for every route of the manifest, each with what the API must answer. A case is generated
 * from a seed, so a run is reproducible; it names fixtures symbolically (tenant A's second benchmark, a
 * cursor tenant B was given) and is resolved against the live world when sent.
 *
 * Nothing a case sends may legitimately write, so the tables must hold exactly what they held before:
 * - every body sent to a route that is not a GET is invalid by construction: a JSON object always carries
 *   an unknown field (all request schemas are strict), other JSON values are not objects, and the rest is
 *   malformed JSON, invalid UTF-8, JSONL with a bad line, or a media type no route accepts;
 * - a caller who may write (an owner key with every scope) never names its own real resource on a route
 *   that is not a GET: a DELETE or cancel ignores the body, so a real id would be a legitimate write.
 *   Real ids there come with a caller who must be refused (read-only, no scope, bad key, the other tenant).
 * A route added later that accepts a non-strict body, or writes without a body, makes the table check
 * fail: that is the point, and the answer is to make the route strict or extend these rules.
 */
import fc from 'fast-check';
import type { RouteDefinition } from '#shared/contracts/function-manifest.js';
import type { RawRequest, RawResponse } from './fuzz-http.js';
import { allIds, pathParameterNames, routeKey, type TenantName, type World } from './fuzz-world.js';
import { anyJson, brokenEncodings, invalidUtf8, isDecodable, nastyString, percentEncode } from './fuzz-values.js';

export const POISON_FIELD = 'x-fuzz-unknown-field';

export type CallerKind = 'owner' | 'read-only' | 'no-scopes' | 'other-tenant' | 'none' | 'malformed' | 'unknown' | 'revoked';

type PathValue = { kind: 'real'; owner: TenantName; index: number } | { kind: 'fake'; encoded: string };

type QueryPart =
  | { kind: 'limit'; raw: string }
  | { kind: 'cursor'; source: CursorSource }
  | { kind: 'filter'; name: string; raw: string }
  | { kind: 'junk'; name: string; raw: string };

type CursorSource = { kind: 'issued'; index: number; mangle: 'none' | 'truncate' | 'flip' | 'append' | 'reencode' } | { kind: 'forged'; raw: string };

type PathShape = 'normal' | 'trailing-slash' | 'double-slash' | 'extra-segment' | 'upper-case' | 'dot-segment' | 'empty-parameter';

export interface BodySpec {
  contentType: string | undefined;
  bytes: Buffer | undefined;
  /** How the body was made, for failure reports. */
  label: string;
}

export interface FuzzCase {
  routeIndex: number;
  wrongMethod: 'PUT' | 'PATCH' | undefined;
  shape: PathShape;
  path: PathValue[];
  query: QueryPart[];
  caller: CallerKind;
  authorizationVariant: number;
  body: BodySpec;
  extraHeaders: Record<string, string>;
}

export interface Expectation {
  /** No 2xx allowed: the input is invalid, or not the caller's to touch. */
  mustFail: boolean;
  /**
   * Only a 2xx will do: a valid read of the caller's own resource, answered with that resource (`ids`, the
   * path's ids by parameter name) or, for a list, with a page.
   */
  mustSucceed?: { ids: Record<string, string>; list: boolean };
  /** The exact status, where the input leaves no doubt about it. */
  status?: number;
  /** API Gateway itself answers (no route, no Authorization header): `{ message }` without `code`. */
  gatewayMayAnswer: boolean;
  /** The tenant the caller acts for, whose 2xx answers must never show the other tenant's data. */
  callerTenant?: TenantName;
  why: string;
}

const callerTenant: Partial<Record<CallerKind, TenantName>> = {
  owner: 'A',
  'read-only': 'A',
  'no-scopes': 'A',
  'other-tenant': 'B',
};
const otherTenant = (tenant: TenantName): TenantName => (tenant === 'A' ? 'B' : 'A');
const needsWriteScope = (route: RouteDefinition) => route.method !== 'GET';

/** Under the smallest per-route body limit (POST /webhooks, 16 KB): below it, no route answers 413. */
const SMALL_BODY_BYTES = 15 * 1024;
const MAX_TARGET_CHARS = 12_000;

const malformedAuthorizations = (key: string) => [
  'Token abc',
  'Basic dXNlcjpwYXNz',
  'Bearer',
  'Bearer ',
  `Bearer ${key} extra`,
  `Bearer ${key.slice(0, -1)}\u00e4`,
  `${key}`,
  'Bearer a,b',
  '   ',
  'Bearer !!!!',
];

// ---------------------------------------------------------------------------------------------------
// Arbitraries

const pathValue: fc.Arbitrary<PathValue> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('real' as const), owner: fc.constantFrom<TenantName>('A', 'B'), index: fc.nat(1) }) },
  {
    weight: 5,
    arbitrary: fc
      .oneof(
        // Shaped like a real id, but never issued.
        fc.tuple(fc.constantFrom('eval-', 'task-', 'key-', 'model-', 'item-', 'zz'), fc.stringMatching(/^[0-9a-z]{1,30}$/)).map(([p, s]) => p + s),
        // Longer than any DynamoDB key may be.
        fc.integer({ min: 500, max: 4000 }).map((length) => `zz${'a'.repeat(length)}`),
        // Hostile text; the `~` keeps it out of the model catalogue's well-known names.
        nastyString({ huge: 400 }).map((text) => `${text}~`),
      )
      .map((text) => ({ kind: 'fake' as const, encoded: percentEncode(text) })),
  },
  { weight: 2, arbitrary: fc.constantFrom(...brokenEncodings).map((encoded) => ({ kind: 'fake' as const, encoded: `x${encoded}` })) },
);

const limitValue = fc.oneof(
  fc.integer({ min: 1, max: 100 }).map(String),
  fc.constantFrom(
    '0',
    '101',
    '-1',
    '1.5',
    '1e2',
    '',
    ' 5',
    '5 ',
    '0x10',
    '١٢',
    '１０',
    '999999999999999999999',
    'NaN',
    'Infinity',
    'null',
    '[]',
    '005',
    '000',
    '0050',
    '00000100',
    '0101',
    '+5',
  ),
  fc.integer({ min: 101, max: 3000 }).map((length) => '9'.repeat(length)),
  nastyString({ huge: 300 }),
);

const cursorSource = (issuedCount: number): fc.Arbitrary<CursorSource> =>
  fc.oneof(
    ...(issuedCount > 0
      ? [
          {
            weight: 3,
            arbitrary: fc.record({
              kind: fc.constant('issued' as const),
              index: fc.nat(issuedCount - 1),
              mangle: fc.constantFrom('none', 'none', 'truncate', 'flip', 'append', 'reencode') as fc.Arbitrary<
                'none' | 'truncate' | 'flip' | 'append' | 'reencode'
              >,
            }),
          },
        ]
      : []),
    {
      weight: 2,
      arbitrary: fc
        .oneof(
          fc.base64String({ maxLength: 200 }),
          anyJson(3).map((value) => Buffer.from(JSON.stringify(value) ?? 'null', 'utf8').toString('base64url')),
          // The right shape, the wrong values: another tenant's partition, empty or oversized keys.
          fc
            .record({
              gsi1pk: fc.constantFrom(
                'TENANT#tenant-b#BENCHMARKS',
                'TENANT#tenant-a#BENCHMARKS',
                'TENANT#tenant-a#EVALS',
                'TENANT#tenant-a#MODELS',
                '',
              ),
              gsi1sk: fc.oneof(fc.constant(''), fc.string({ maxLength: 20 }), fc.constant('z'.repeat(600))),
              pk: fc.oneof(fc.constant(''), fc.string({ maxLength: 20 }), fc.constant('TENANT#tenant-b#EVAL#x')),
              sk: fc.oneof(
                fc.constant(''),
                fc.constantFrom('META', 'EVAL', 'MODEL', 'ITEM#000000001', 'RESULT#000001'),
                fc.string({ maxLength: 20 }),
              ),
            })
            .map((key) => Buffer.from(JSON.stringify(key), 'utf8').toString('base64url')),
          fc
            .record({ pk: fc.constantFrom('TENANT#tenant-a#BENCH#x', ''), sk: fc.constantFrom('ITEM#000000001', 'RESULT#000002', '', 'META') })
            .map((key) => Buffer.from(JSON.stringify(key), 'utf8').toString('base64url')),
          fc.integer({ min: 2000, max: 4000 }).map((length) => 'A'.repeat(length)),
          nastyString({ huge: 300 }),
        )
        .map((raw) => ({ kind: 'forged' as const, raw })),
    },
  );

const filterNames = ['status', 'benchmark_id', 'model_id', 'source', 'failed', 'format'] as const;

const queryPart = (issuedCount: number): fc.Arbitrary<QueryPart> =>
  fc.oneof(
    { weight: 4, arbitrary: limitValue.map((raw) => ({ kind: 'limit' as const, raw })) },
    { weight: 4, arbitrary: cursorSource(issuedCount).map((source) => ({ kind: 'cursor' as const, source })) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.constantFrom(...filterNames),
          fc.oneof(
            fc.constantFrom('completed', 'running', 'true', 'false', 'builtin', 'registered', 'all', 'baseline:echo'),
            nastyString({ huge: 300 }),
          ),
        )
        .map(([name, raw]) => ({ kind: 'filter' as const, name, raw })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.oneof(fc.stringMatching(/^x_[a-z]{1,8}$/), fc.constantFrom('x_%00', 'x_%ZZ', 'x_[]', 'x_a[b]', 'x_')), nastyString({ huge: 300 }))
        .map(([name, raw]) => ({ kind: 'junk' as const, name, raw })),
    },
  );

function poisoned(value: Record<string, unknown>): Record<string, unknown> {
  return { ...value, [POISON_FIELD]: true };
}

/**
 * Valid bodies per route, so mutations reach the deeper fields. The read-only fuzz always poisons them
 * before sending; the write fuzz sends them as mutated, naming `benchmarkId` where a benchmark is needed.
 */
export function templateFor(route: RouteDefinition, benchmarkId = 'task-x'): Record<string, unknown> {
  switch (routeKey(route)) {
    case 'POST /api/v3/evaluations':
      return {
        model_id: 'baseline:echo',
        benchmark_id: benchmarkId,
        model_id_2: 'baseline:reference',
        custom_metrics: ['exact_match', { name: 'has_x', type: 'contains', value: 'x' }],
      };
    case 'POST /api/v3/benchmarks':
      return {
        name: 'n',
        description: 'd',
        task_type: 'multiple_choice',
        prompt_template: '{input}\n{choices}',
        items: [{ id: 'a', input: 'q', choices: ['x', 'y'], expected: 'A', metadata: { k: 1 } }],
      };
    case 'POST /api/v3/benchmarks/{benchmark_id}/items':
      return { items: [{ input: 'q', expected: 'a', context: 'c', metadata: { k: 'v' } }] };
    case 'POST /api/v3/models':
      return {
        model_id: 'm',
        provider: 'openai_compatible',
        provider_model_id: 'p',
        display_name: 'M',
        base_url: 'http://localhost:1',
        parameters: { temperature: 0.5, system_prompt: 's', stop_sequences: ['x'] },
        pricing: { input_per_million: 1, output_per_million: 2 },
      };
    default:
      return {};
  }
}

/** Fields of each template that take free text, where strange but valid strings keep the body valid. */
const freeTextPaths: Record<string, (string | number)[][]> = {
  'POST /api/v3/evaluations': [['custom_metrics', 1, 'value']],
  'POST /api/v3/benchmarks': [['name'], ['description'], ['items', 0, 'input'], ['items', 0, 'choices', 1], ['items', 0, 'metadata', 'k']],
  'POST /api/v3/benchmarks/{benchmark_id}/items': [
    ['items', 0, 'input'],
    ['items', 0, 'expected'],
    ['items', 0, 'context'],
    ['items', 0, 'metadata', 'k'],
  ],
  'POST /api/v3/models': [['provider_model_id'], ['display_name'], ['parameters', 'system_prompt']],
};

function setAt(target: Record<string, unknown>, path: (string | number)[], value: unknown): void {
  let container = target as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) container = container[key] as Record<string | number, unknown>;
  container[path.at(-1)!] = value;
}

/** Replaces one field of the template (possibly nested) with a hostile value. */
const mutatedTemplate = (route: RouteDefinition) =>
  fc.tuple(fc.nat(), anyJson(3), fc.boolean()).map(([pick, value, nested]) => {
    const template = structuredClone(templateFor(route));
    const keys = Object.keys(template);
    if (keys.length === 0) return poisoned({ value });
    const key = keys[pick % keys.length]!;
    const current = template[key];
    if (nested && Array.isArray(current) && typeof current[0] === 'object' && current[0] !== null) {
      const inner = current[0] as Record<string, unknown>;
      const innerKeys = Object.keys(inner);
      inner[innerKeys[pick % innerKeys.length]!] = value;
    } else {
      template[key] = value;
    }
    return poisoned(template);
  });

/** Values a field schema may let through that storage refuses: extreme numbers, empty keys, deep nesting, broken Unicode. */
const storageBreakers = fc.oneof(
  // biome-ignore lint/correctness/noPrecisionLoss: a number beyond 2^53 on purpose: the API must refuse what it cannot store exactly
  fc.constantFrom(1e100, -1e300, 2 ** 53, 5e-324, 1e-200, 123456789012345678901234567890, { '': 1 }, { a: { '': 'x' } }, '\ud800', 'a\udfffb', {
    '\ud800': 1,
  }),
  fc.integer({ min: 5, max: 40 }).map((depth) => JSON.parse(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`) as unknown),
  fc.integer({ min: 5, max: 40 }).map((depth) => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`) as unknown),
);

export interface WriteCase {
  routeIndex: number;
  body: unknown;
}

/** Set `value` at a random place in `target`: a top-level field, a field of its first nested object, or a new field. */
function plant(target: Record<string, unknown>, pick: number, shared: unknown): void {
  // Generated constants are shared between cases: a copy, so planting one into another cannot loop.
  const value = structuredClone(shared);
  const keys = Object.keys(target);
  const key = keys[pick % keys.length]!;
  const current = target[key];
  const nested = Array.isArray(current) ? current.find((entry) => typeof entry === 'object' && entry !== null) : current;
  if (pick % 3 === 1 && typeof nested === 'object' && nested !== null && !Array.isArray(nested)) {
    const inner = nested as Record<string, unknown>;
    const innerKeys = Object.keys(inner);
    inner[innerKeys[Math.floor(pick / 3) % innerKeys.length]!] = value;
  } else {
    target[key] = value;
  }
}

/**
 * Near-valid writes, unpoisoned: the valid body of a writing route with strange text in its free-text
 * fields (mostly valid: these reach storage), or with one or two fields replaced by any JSON or by a
 * value storage refuses. Some are valid and write; none may answer 5xx.
 */
export function writeCaseArbitrary(routes: RouteDefinition[], benchmarkId: string): fc.Arbitrary<WriteCase> {
  const writable = routes.map((route, index) => ({ route, index })).filter(({ route }) => Object.keys(templateFor(route)).length > 0);
  const strangeText = fc
    .tuple(fc.constantFrom(...writable), fc.array(fc.tuple(fc.nat(), nastyString({ huge: 150 })), { minLength: 1, maxLength: 3 }))
    .map(([{ route, index }, replacements]) => {
      const body = structuredClone(templateFor(route, benchmarkId));
      const paths = freeTextPaths[routeKey(route)] ?? [];
      for (const [pick, text] of replacements) if (paths.length > 0) setAt(body, paths[pick % paths.length]!, text);
      return { routeIndex: index, body };
    });
  return fc.oneof(strangeText, anyReplacement(writable, benchmarkId));
}

function anyReplacement(writable: { route: RouteDefinition; index: number }[], benchmarkId: string): fc.Arbitrary<WriteCase> {
  return fc
    .tuple(
      fc.constantFrom(...writable),
      fc.array(
        fc.tuple(
          fc.nat(),
          // Mostly strange but valid text, so that many writes succeed and reach storage with it.
          fc.oneof(
            { weight: 1, arbitrary: storageBreakers },
            { weight: 1, arbitrary: anyJson(3) },
            { weight: 4, arbitrary: nastyString({ huge: 150 }) },
          ),
        ),
        { minLength: 1, maxLength: 2 },
      ),
    )
    .map(([{ route, index }, replacements]) => {
      const body = structuredClone(templateFor(route, benchmarkId));
      for (const [pick, value] of replacements) plant(body, pick, value);
      return { routeIndex: index, body };
    });
}

const hugeField = (route: RouteDefinition) =>
  fc.tuple(fc.nat(), nastyString({ huge: 100_000 })).map(([pick, text]) => {
    const template = structuredClone(templateFor(route));
    const keys = Object.keys(template);
    template[keys.length > 0 ? keys[pick % keys.length]! : 'name'] = text;
    return poisoned(template);
  });

const jsonContentTypes = [
  'application/json',
  'application/json; charset=utf-8',
  'application/vnd.api+json',
  'application/json;charset=UTF-8',
] as const;
const otherContentTypes = [
  undefined,
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/octet-stream',
  'APPLICATION/JSON',
  'application/json;',
  'application/json; charset=utf-16',
  'application/x-ndjson',
  'application/jsonl',
  'text/json',
  '*/*',
  'application/xml',
  'garbage',
] as const;

function body(label: string, contentType: string | undefined, bytes: Buffer | string | undefined): BodySpec {
  return { label, contentType, bytes: typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes };
}

const deepText = (depth: number, open: string, close: string) => `{"${POISON_FIELD}":1,"items":${open.repeat(depth)}${close.repeat(depth)}}`;

const bodySpec = (route: RouteDefinition): fc.Arbitrary<BodySpec> =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constant(body('none', undefined, undefined)) },
    { weight: 1, arbitrary: fc.constantFrom(...jsonContentTypes).map((type) => body('empty', type, Buffer.alloc(0))) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.constantFrom(...jsonContentTypes), anyJson(4))
        .map(([type, value]) =>
          body(
            'any JSON',
            type,
            JSON.stringify(typeof value === 'object' && value !== null && !Array.isArray(value) ? poisoned(value as Record<string, unknown>) : value),
          ),
        ),
    },
    {
      weight: 4,
      arbitrary: fc
        .tuple(fc.constantFrom(...jsonContentTypes), mutatedTemplate(route))
        .map(([type, value]) => body('mutated template', type, JSON.stringify(value))),
    },
    { weight: 1, arbitrary: hugeField(route).map((value) => body('huge field', 'application/json', JSON.stringify(value))) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: 50, max: 5000 }), fc.constantFrom(['[', ']'], ['{"a":', '}'], ['[{"b":', '}]']))
        .map(([depth, [open, close]]) => body(`nested ${depth} deep`, 'application/json', deepText(depth, open!, close!))),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.constantFrom(...jsonContentTypes),
          fc.constantFrom(
            '{',
            '{"model_id": "x",',
            "{'model_id': 'x'}",
            '{"a":1,}',
            '{"a":NaN}',
            '{"a":1} {"b":2}',
            '/* c */ {}',
            '\ufeff{}',
            'nul',
            '{"a":"\\ud800"',
            '{"a":"\\u00"}',
            '[1,2',
            '"unterminated',
            '{"a":1e999999}',
            '{"__proto__":{"x":1}',
          ),
        )
        .map(([type, text]) => body('malformed JSON', type, text)),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.constantFrom(...invalidUtf8), fc.nat(), mutatedTemplate(route)).map(([bad, at, value]) => {
        const text = Buffer.from(JSON.stringify(value), 'utf8');
        // Inside the poisoned field's name, or at the very start, where the body can no longer be an object.
        const marker = text.indexOf(POISON_FIELD);
        const position = at % 2 === 0 ? 0 : marker + 2;
        return body('invalid UTF-8', 'application/json', Buffer.concat([text.subarray(0, position), bad, text.subarray(position)]));
      }),
    },
    {
      weight: 1,
      arbitrary: mutatedTemplate(route).map((value) =>
        body('UTF-16', 'application/json; charset=utf-16', Buffer.from(`\ufeff${JSON.stringify(value)}`, 'utf16le')),
      ),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.constantFrom('application/x-ndjson', 'application/jsonl', 'application/x-ndjson; charset=utf-8'),
          fc.array(
            fc.oneof(
              anyJson(2).map((value) => JSON.stringify(value)),
              fc.constantFrom('{', '', '\r', '{"input":"x"}', '{"name":"n","task_type":"free_text"}'),
            ),
            { maxLength: 5 },
          ),
        )
        .map(([type, lines]) => body('JSONL', type, [...lines, JSON.stringify({ input: 'x', [POISON_FIELD]: 1 })].join('\n'))),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.constantFrom(...otherContentTypes),
          fc.oneof(
            mutatedTemplate(route).map((value) => JSON.stringify(value)),
            nastyString({ huge: 5000 }),
          ),
        )
        .map(([type, text]) => body(`as ${type ?? 'no media type'}`, type, text)),
    },
  );

const extraHeaders = fc.dictionary(
  fc.constantFrom('idempotency-key', 'x-forwarded-for', 'accept', 'cookie', 'x-amzn-trace-id', 'content-encoding', 'accept-language'),
  fc.oneof(
    fc.string({ unit: 'binary-ascii', maxLength: 60 }).map((text) => text.replace(/[^\x20-\x7e]/g, '')),
    fc.constantFrom('gzip', '*/*', 'retry-1', 'x'.repeat(200)),
  ),
  { maxKeys: 2 },
);

export function fuzzCaseArbitrary(world: World): fc.Arbitrary<FuzzCase> {
  const routes = world.routes;
  return fc
    .nat(routes.length - 1)
    .chain((routeIndex) => {
      const route = routes[routeIndex]!;
      const names = pathParameterNames(route.path);
      const anyCase = fc.record({
        routeIndex: fc.constant(routeIndex),
        wrongMethod: fc.oneof(
          { weight: 19, arbitrary: fc.constant(undefined) },
          { weight: 1, arbitrary: fc.constantFrom('PUT' as const, 'PATCH' as const) },
        ),
        shape: fc.oneof(
          { weight: 14, arbitrary: fc.constant('normal' as const) },
          {
            weight: 1,
            arbitrary: fc.constantFrom<PathShape>(
              'trailing-slash',
              'double-slash',
              'extra-segment',
              'upper-case',
              'dot-segment',
              ...(names.length > 0 ? (['empty-parameter'] as const) : []),
            ),
          },
        ),
        path: fc.tuple(...names.map(() => pathValue)),
        query: fc.array(queryPart(world.cursors.length), { maxLength: route.method === 'GET' ? 4 : 1 }),
        caller: fc.oneof(
          { weight: 6, arbitrary: fc.constant('owner' as const) },
          { weight: 3, arbitrary: fc.constant('other-tenant' as const) },
          { weight: 2, arbitrary: fc.constant('read-only' as const) },
          { weight: 1, arbitrary: fc.constantFrom<CallerKind>('no-scopes', 'none', 'malformed', 'unknown', 'revoked') },
        ),
        authorizationVariant: fc.nat(99),
        body:
          route.method === 'GET'
            ? fc.oneof({ weight: 5, arbitrary: fc.constant(body('none', undefined, undefined)) }, { weight: 1, arbitrary: bodySpec(route) })
            : bodySpec(route),
        extraHeaders,
      });
      if (route.method !== 'GET' || !route.authorized) return anyCase;
      // Plain reads of the caller's own resources, so every read route has cases that must succeed; the
      // mix above rarely makes one for a list under a parent (every query part would have to be valid).
      const ownRead = fc.record({
        routeIndex: fc.constant(routeIndex),
        wrongMethod: fc.constant(undefined),
        shape: fc.constant('normal' as const),
        path: fc.tuple(...names.map(() => fc.record({ kind: fc.constant('real' as const), owner: fc.constant<TenantName>('A'), index: fc.nat(1) }))),
        // The bounds and leading zeros too: valid by the documented rule, whatever the schema's regex says.
        query: fc.array(
          fc
            .oneof(fc.integer({ min: 1, max: 100 }).map(String), fc.constantFrom('1', '100', '007', '0050', '00000100'))
            .map((raw) => ({ kind: 'limit' as const, raw })),
          { maxLength: 1 },
        ),
        caller: fc.constantFrom<CallerKind>('owner', 'read-only'),
        authorizationVariant: fc.nat(99),
        body: fc.constant(body('none', undefined, undefined)),
        extraHeaders,
      });
      return fc.oneof({ weight: 4, arbitrary: anyCase }, { weight: 1, arbitrary: ownRead });
    })
    .map((fuzzCase) => keepOwnersFromWriting(fuzzCase, routes[fuzzCase.routeIndex]!));
}

/** A caller who may write never names its own resource on a writing route (see the file comment). */
function keepOwnersFromWriting(fuzzCase: FuzzCase, route: RouteDefinition): FuzzCase {
  const tenant = callerTenant[fuzzCase.caller];
  const mayWrite = fuzzCase.caller === 'owner' || fuzzCase.caller === 'other-tenant';
  if (!needsWriteScope(route) || !mayWrite || !tenant) return fuzzCase;
  return {
    ...fuzzCase,
    path: fuzzCase.path.map((value) => (value.kind === 'real' && value.owner === tenant ? { ...value, owner: otherTenant(tenant) } : value)),
  };
}

// ---------------------------------------------------------------------------------------------------
// From a case to a request

function callerKey(world: World, caller: CallerKind): string | undefined {
  switch (caller) {
    case 'owner':
      return world.tenants.A.ownerKey;
    case 'other-tenant':
      return world.tenants.B.ownerKey;
    case 'read-only':
      return world.keys.readOnly;
    case 'no-scopes':
      return world.keys.noScopes;
    case 'revoked':
      return world.keys.revoked;
    case 'unknown':
      return world.keys.unknown;
    default:
      return undefined;
  }
}

function authorizationHeader(world: World, fuzzCase: FuzzCase): string | undefined {
  if (fuzzCase.caller === 'none') return undefined;
  if (fuzzCase.caller === 'malformed') {
    const variants = malformedAuthorizations(world.tenants.A.ownerKey);
    return variants[fuzzCase.authorizationVariant % variants.length];
  }
  const key = callerKey(world, fuzzCase.caller)!;
  // Scheme case and spacing vary; all of these are well-formed.
  const forms = [`Bearer ${key}`, `bearer ${key}`, `Bearer  ${key}`, `BEARER ${key} `];
  return forms[fuzzCase.authorizationVariant % 10 === 0 ? fuzzCase.authorizationVariant % forms.length : 0];
}

function mangleCursor(cursor: string, mangle: 'none' | 'truncate' | 'flip' | 'append' | 'reencode'): string {
  switch (mangle) {
    case 'none':
      return cursor;
    case 'truncate':
      return cursor.slice(0, Math.max(1, Math.floor(cursor.length / 2)));
    case 'flip': {
      const at = Math.floor(cursor.length / 3);
      const flipped = cursor[at] === 'A' ? 'B' : 'A';
      return cursor.slice(0, at) + flipped + cursor.slice(at + 1);
    }
    case 'append':
      return `${cursor}AAAA`;
    case 'reencode':
      // The same key, re-encoded with a field added: still base64url JSON, no longer the key we issued.
      return Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')), extra: 'x' }), 'utf8').toString(
        'base64url',
      );
  }
}

function resolvePathValues(world: World, route: RouteDefinition, fuzzCase: FuzzCase): { encoded: string[]; decoded: (string | undefined)[] } {
  const names = pathParameterNames(route.path);
  const encoded = fuzzCase.path.map((value, index) => {
    if (value.kind === 'fake') return value.encoded;
    const ids = world.tenants[value.owner].ids[names[index]!] ?? [];
    return percentEncode(ids[value.index % Math.max(ids.length, 1)] ?? 'no-such-fixture');
  });
  return { encoded, decoded: encoded.map((text) => (isDecodable(text) ? decodeURIComponent(text) : undefined)) };
}

function buildTarget(route: RouteDefinition, shape: PathShape, encoded: string[], query: string): string {
  let index = 0;
  let path = route.path.replace(/\{[^}]+\}/g, () => (shape === 'empty-parameter' ? '' : (encoded[index++] ?? '')));
  switch (shape) {
    case 'trailing-slash':
      path += '/';
      break;
    case 'double-slash':
      path = path.replace('/api/v3/', '/api/v3//');
      break;
    case 'extra-segment':
      path += '/zz-extra';
      break;
    case 'upper-case':
      path = path.replace('/api/v3', '/API/V3');
      break;
    case 'dot-segment':
      path = path.replace('/api/v3/', '/api/v3/./');
      break;
    default:
      break;
  }
  return query ? `${path}?${query}` : path;
}

export interface ResolvedCase {
  request: RawRequest;
  expectation: Expectation;
  route: RouteDefinition;
}

export function resolveCase(world: World, fuzzCase: FuzzCase): ResolvedCase {
  const route = world.routes[fuzzCase.routeIndex]!;
  const { encoded, decoded } = resolvePathValues(world, route, fuzzCase);
  const queryParts = fuzzCase.query.map((part) => {
    switch (part.kind) {
      case 'limit':
        return `limit=${percentEncode(part.raw)}`;
      case 'cursor': {
        const cursor =
          part.source.kind === 'issued'
            ? mangleCursor(world.cursors[part.source.index % world.cursors.length]!.cursor, part.source.mangle)
            : part.source.raw;
        return `cursor=${percentEncode(cursor)}`;
      }
      default:
        return `${part.name}=${percentEncode(part.raw)}`;
    }
  });
  // Parts that would take the request line past what servers accept (Node: 16 KB of headers) are left
  // out: an oversized request line is its own limit, tested in limits.test.ts.
  while (queryParts.length > 0 && buildTarget(route, fuzzCase.shape, encoded, queryParts.join('&')).length > MAX_TARGET_CHARS) queryParts.pop();
  const queryText = queryParts.join('&');
  const target = buildTarget(route, fuzzCase.shape, encoded, queryText);
  const authorization = authorizationHeader(world, fuzzCase);
  const headers: Record<string, string> = {
    ...fuzzCase.extraHeaders,
    ...(authorization !== undefined ? { authorization } : {}),
    ...(fuzzCase.body.contentType !== undefined ? { 'content-type': fuzzCase.body.contentType } : {}),
  };
  return {
    route,
    request: { method: fuzzCase.wrongMethod ?? route.method, target, headers, ...(fuzzCase.body.bytes ? { body: fuzzCase.body.bytes } : {}) },
    expectation: expectationFor(world, route, fuzzCase, decoded, queryText),
  };
}

// ---------------------------------------------------------------------------------------------------
// The oracle

/** The query as API Gateway hands it to the handler: repeated names joined with commas. */
function gatewayQuery(queryText: string): Record<string, string> {
  const parameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(queryText)) parameters[name] = name in parameters ? `${parameters[name]},${value}` : value;
  return parameters;
}

/**
 * valid: a list would answer 2xx; invalid: it must answer 400; refused: it must fail, but a route-specific
 * filter may answer first (a 404 for a model the evaluation did not use); unknown: a filter decides.
 */
/**
 * The documented rule for `limit` ("a whole number from 1 to 100"), written out here instead of taken from
 * the product's schema, so a schema that drifts from the documentation fails the fuzz rather than
 * agreeing with itself: absent, or ASCII digits only (leading zeros allowed) with a value from 1 to 100.
 */
export function limitIsValid(raw: string | undefined): boolean {
  if (raw === undefined) return true;
  if (!/^[0-9]+$/.test(raw)) return false;
  const value = Number(raw);
  return value >= 1 && value <= 100;
}

function listQueryValidity(
  world: World,
  route: RouteDefinition,
  tenant: TenantName,
  decodedPath: (string | undefined)[],
  queryText: string,
): 'valid' | 'invalid' | 'refused' | 'unknown' {
  const query = gatewayQuery(queryText);
  const filtered = filterNames.some((name) => name in query);
  if (!limitIsValid(query.limit)) return 'invalid';
  if (query.cursor !== undefined) {
    const names = pathParameterNames(route.path);
    const issued = world.cursors.find(
      (candidate) =>
        candidate.cursor === query.cursor &&
        candidate.tenant === tenant &&
        candidate.routeKey === routeKey(route) &&
        names.every((name, index) => candidate.pathParameters[name] === decodedPath[index]),
    );
    if (!issued) return filtered ? 'refused' : 'invalid';
  }
  return filtered ? 'unknown' : 'valid';
}

function expectationFor(
  world: World,
  route: RouteDefinition,
  fuzzCase: FuzzCase,
  decodedPath: (string | undefined)[],
  queryText: string,
): Expectation {
  const tenant = callerTenant[fuzzCase.caller];
  const small = (fuzzCase.body.bytes?.length ?? 0) <= SMALL_BODY_BYTES;
  if (fuzzCase.wrongMethod || fuzzCase.shape !== 'normal') {
    return { mustFail: true, gatewayMayAnswer: true, why: 'no route has this method and path' };
  }
  if (decodedPath.some((value) => value === undefined)) {
    return { mustFail: true, gatewayMayAnswer: true, why: 'a path parameter is not valid percent-encoding' };
  }
  if (!route.authorized) return { mustFail: false, gatewayMayAnswer: false, why: 'a public route' };
  if (fuzzCase.caller === 'none') return { mustFail: true, status: 401, gatewayMayAnswer: true, why: 'no Authorization header' };
  if (fuzzCase.caller === 'malformed' || fuzzCase.caller === 'unknown' || fuzzCase.caller === 'revoked') {
    // A blank header is a missing one to API Gateway, which then answers itself.
    return { mustFail: true, ...(small ? { status: 401 } : {}), gatewayMayAnswer: fuzzCase.caller === 'malformed', why: `a ${fuzzCase.caller} key` };
  }
  if (fuzzCase.caller === 'no-scopes')
    return { mustFail: true, ...(small ? { status: 403 } : {}), gatewayMayAnswer: false, callerTenant: tenant, why: 'a key without scopes' };
  if (fuzzCase.caller === 'read-only' && needsWriteScope(route)) {
    return {
      mustFail: true,
      ...(small ? { status: 403 } : {}),
      gatewayMayAnswer: false,
      callerTenant: tenant,
      why: 'a read-only key on a writing route',
    };
  }
  if (needsWriteScope(route)) {
    return {
      mustFail: true,
      gatewayMayAnswer: false,
      callerTenant: tenant,
      why: 'an invalid body, or an id the caller does not own, on a writing route',
    };
  }
  const values = fuzzCase.path;
  const foreign = values.some((value) => value.kind === 'real' && value.owner !== tenant);
  const fake = values.some((value) => value.kind === 'fake');
  const isList = world.listRouteKeys.has(routeKey(route));
  const queryValidity = isList ? listQueryValidity(world, route, tenant!, decodedPath, queryText) : 'valid';
  if (foreign && !fake && queryValidity === 'valid') {
    return {
      mustFail: true,
      status: 404,
      gatewayMayAnswer: false,
      callerTenant: tenant,
      why: "another tenant's id answers 404, as an unknown id does",
    };
  }
  if (foreign || fake) return { mustFail: true, gatewayMayAnswer: false, callerTenant: tenant, why: 'an id the caller does not own' };
  if (queryValidity === 'invalid')
    return {
      mustFail: true,
      status: 400,
      gatewayMayAnswer: false,
      callerTenant: tenant,
      why: 'a bad limit or a cursor not issued for this list and tenant',
    };
  if (queryValidity === 'refused')
    return { mustFail: true, gatewayMayAnswer: false, callerTenant: tenant, why: 'a cursor not issued for this list and tenant' };
  // Every path id is the caller's own, the page query is valid and no route-specific filter could refuse
  // it, and the body (which a GET ignores) is under every route's size limit: nothing may stop the read.
  if (queryValidity === 'valid' && small) {
    const names = pathParameterNames(route.path);
    const ids = Object.fromEntries(names.map((name, index) => [name, decodedPath[index]!]));
    return {
      mustFail: false,
      mustSucceed: { ids, list: isList },
      gatewayMayAnswer: false,
      callerTenant: tenant,
      why: 'a valid read of the caller’s own data',
    };
  }
  return { mustFail: false, gatewayMayAnswer: false, callerTenant: tenant, why: 'a read of the caller’s own data that a filter may refuse' };
}

/** What a valid read of the caller's own data must answer: a 2xx with that resource, or with a page. */
function readProblems(mustSucceed: NonNullable<Expectation['mustSucceed']>, response: RawResponse): string[] {
  if (response.status < 200 || response.status >= 300) return [`answered ${response.status} to a valid read of the caller’s own data`];
  const json = response.json as Record<string, unknown> | undefined;
  if (mustSucceed.list) {
    return Array.isArray(json?.items) && 'next_cursor' in (json ?? {}) ? [] : ['answered a list route without a page'];
  }
  return Object.entries(mustSucceed.ids).flatMap(([name, id]) => {
    // A JSON resource names itself by the field of its path parameter; the HTML report carries the id in its markup.
    const shown = typeof json === 'object' && json !== null ? json[name] === id : response.text.includes(id);
    return shown ? [] : [`answered without the ${name} ${id} it was asked for`];
  });
}

// ---------------------------------------------------------------------------------------------------
// Checking an answer

const gatewayBodies: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 413: 'Request Entity Too Large' };

/** Every way the answer breaks a promise; empty when it keeps them all. */
export function violations(world: World, resolved: ResolvedCase, response: RawResponse): string[] {
  const problems: string[] = [];
  const { expectation } = resolved;
  if (response.status >= 500) problems.push(`answered ${response.status}`);
  if (response.status >= 400 && response.status < 500) {
    const json = response.json as Record<string, unknown> | undefined;
    const contentType = String(response.headers['content-type'] ?? '');
    if (!contentType.startsWith('application/json')) problems.push(`a ${response.status} with content-type ${contentType || 'none'}`);
    const isGatewayBody = json !== undefined && Object.keys(json).length === 1 && json.message === gatewayBodies[response.status];
    if (typeof json !== 'object' || json === null) problems.push(`a ${response.status} whose body is not a JSON object`);
    else {
      if (typeof json.message !== 'string') problems.push(`a ${response.status} without a string message`);
      if (typeof json.code !== 'string' && !(expectation.gatewayMayAnswer && isGatewayBody))
        problems.push(`a ${response.status} without a string code`);
      if ('errors' in json) {
        const errors = json.errors;
        if (!Array.isArray(errors) || errors.some((error) => typeof error?.path !== 'string' || typeof error?.message !== 'string')) {
          problems.push(`a ${response.status} whose errors is not a list of { path, message }`);
        }
      }
    }
  }
  if (expectation.mustFail && response.status < 400) problems.push(`answered ${response.status} although it must fail (${expectation.why})`);
  if (expectation.mustSucceed) problems.push(...readProblems(expectation.mustSucceed, response));
  if (expectation.status !== undefined && response.status !== expectation.status) {
    problems.push(`answered ${response.status}, expected ${expectation.status} (${expectation.why})`);
  }
  if (response.status < 300 && expectation.callerTenant) {
    const other = world.tenants[otherTenant(expectation.callerTenant)];
    const leaked = allIds(other).filter((id) => response.text.includes(id));
    if (leaked.length > 0) problems.push(`showed the other tenant's ${leaked.join(', ')}`);
  }
  return problems;
}

/** One line per case that a person can read and replay. */
export function describeCase(resolved: ResolvedCase, fuzzCase: FuzzCase): string {
  const target =
    resolved.request.target.length > 300
      ? `${resolved.request.target.slice(0, 300)}… (${resolved.request.target.length} chars)`
      : resolved.request.target;
  const preview = resolved.request.body ? resolved.request.body.subarray(0, 200).toString('utf8') : '';
  return `${resolved.request.method} ${target} as ${fuzzCase.caller}, body ${fuzzCase.body.label} (${resolved.request.body?.length ?? 0} bytes, ${fuzzCase.body.contentType ?? 'no content-type'}) ${JSON.stringify(preview)}`;
}
