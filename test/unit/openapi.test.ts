import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Validator } from '@seriousme/openapi-schema-validator';
import * as v from 'valibot';
import { handler as openApiHandler } from '#functions/api/get-openapi-document.js';
import { functionDefinitions, type FunctionDefinition } from '#shared/contracts/function-manifest.js';
import type { ErrorBody } from '#shared/domain/errors.js';
import { CREATED_MESSAGE } from '#shared/domain/evaluations/create-evaluation.js';
import { CreateEvaluationResponseSchema } from '#shared/contracts/evaluations/response-schemas.js';
import { CreateEvaluationRequestSchema } from '#shared/contracts/evaluations/schemas.js';
import { buildOpenApiDocument, documentedRoutes, type OpenApiOperation } from '#shared/contracts/openapi/document.js';
import type { ErrorBodySchema } from '#shared/contracts/primitives.js';
import { renderClientFiles } from '../../scripts/openapi-client-files.js';
import { fakeContext, httpEvent } from '../support/lambda.js';
import { describeErrors, openApiValidator } from '../support/openapi-validator.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const document = buildOpenApiDocument();
const validator = openApiValidator(document);

function operationsOf(doc = document): { key: string; path: string; method: string; operation: OpenApiOperation }[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ key: `${method.toUpperCase()} ${path}`, path, method, operation })),
  );
}

const createEvaluation = () => document.paths['/api/v3/evaluations']!.post!;
type Media = { schema: unknown; examples?: Record<string, { value: unknown }> };
const mediaOf = (holder: unknown, mediaType: string) => (holder as { content: Record<string, Media> }).content[mediaType]!;

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(structuredClone(document));

    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(document.openapi).toBe('3.1.0');
  });

  it('documents exactly the HTTP routes of the manifest', () => {
    const routes = functionDefinitions.filter((f) => f.kind === 'api').flatMap((f) => f.routes.map((r) => `${r.method} ${r.path}`));

    expect(
      operationsOf()
        .map((o) => o.key)
        .sort(),
    ).toEqual(routes.sort());
    expect(routes).toEqual(expect.arrayContaining(['GET /api/v3/openapi.json', 'GET /api/v3/evaluations/{evaluation_id}/report']));
  });

  it('refuses to build when a manifest route has no registry entry, naming the route', () => {
    const extra: FunctionDefinition = {
      id: 'Extra',
      kind: 'api',
      entry: 'functions/api/extra.ts',
      description: 'not documented',
      routes: [{ method: 'GET', path: '/api/v3/extra', authorized: true }],
      tables: {},
      queues: {},
    };

    expect(() => documentedRoutes([...functionDefinitions, extra])).toThrow(/routes without an entry: GET \/api\/v3\/extra/);
    expect(() => documentedRoutes(functionDefinitions.filter((f) => f.id !== 'DeleteModel'))).toThrow(
      /entries without a route: DELETE \/api\/v3\/models\/\{model_id\}/,
    );
  });

  it('requires the bearer key everywhere but on the public routes', () => {
    const publicRoutes = functionDefinitions
      .flatMap((f) => f.routes)
      .filter((r) => !r.authorized)
      .map((r) => `${r.method} ${r.path}`);

    expect(document.security).toEqual([{ bearerAuth: [] }]);
    expect((document.components as { securitySchemes: unknown }).securitySchemes).toEqual({
      bearerAuth: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
    for (const { key, operation } of operationsOf()) {
      if (publicRoutes.includes(key)) {
        expect({ key, security: operation.security }).toEqual({ key, security: [] });
        expect(operation.responses['401']).toBeUndefined();
      } else {
        expect({ key, security: operation.security }).toEqual({ key, security: undefined });
        expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['401', '403']));
      }
    }
  });

  it("describes every error with the shared Error schema, or API Gateway's where the gateway answers itself (401, 429, 500)", () => {
    for (const { key, operation } of operationsOf()) {
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) < 400 || (key === 'GET /api/v3/health' && status === '503')) continue;
        const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
        const expected =
          status === '429'
            ? ref('GatewayError')
            : status === '401' || status === '500'
              ? { anyOf: [ref('Error'), ref('GatewayError')] }
              : ref('Error');
        expect({ key, status, schema: mediaOf(response, 'application/json').schema }).toEqual({ key, status, schema: expected });
      }
    }
    expect(
      validator.checkSchema('Error', {
        code: 'validation_error',
        message: 'The request is not valid',
        errors: [{ path: 'model_id', message: 'is required' }],
      }),
    ).toEqual([]);
    expect(validator.checkSchema('Error', { message: 'Too Many Requests' })).not.toEqual([]);
    expect(validator.checkSchema('GatewayError', { message: 'Too Many Requests' })).toEqual([]);
  });

  it('describes errors with the very shape the error handler sends', () => {
    // Checked by the compiler: each type must be assignable to the other.
    type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
    const agree: Same<ErrorBody, v.InferOutput<typeof ErrorBodySchema>> = true;

    expect(agree).toBe(true);
  });

  it('lists the error statuses each kind of route actually answers', () => {
    const statuses = (key: string) => Object.keys(operationsOf().find((o) => o.key === key)!.operation.responses);

    expect(statuses('POST /api/v3/evaluations')).toEqual(['202', '400', '401', '403', '409', '413', '415', '422', '429', '500', '503']);
    expect(statuses('POST /api/v3/evaluations/{evaluation_id}/cancel')).toEqual(['202', '401', '403', '404', '409', '429', '500']);
    expect(statuses('GET /api/v3/benchmarks')).toEqual(['200', '400', '401', '403', '429', '500']);
    expect(statuses('POST /api/v3/benchmarks/{benchmark_id}/items')).toEqual(['200', '400', '401', '403', '404', '409', '413', '415', '429', '500']);
    expect(statuses('DELETE /api/v3/models/{model_id}')).toEqual(['204', '401', '403', '404', '409', '429', '500']);
    expect(statuses('GET /api/v3/health')).toEqual(['200', '429', '500', '503']);
  });

  it('describes pagination: limit and cursor on every list, next_cursor in its page', () => {
    const lists = operationsOf().filter(({ operation }) => ((operation.parameters ?? []) as { name: string }[]).some((p) => p.name === 'cursor'));

    expect(lists.map((l) => l.key).sort()).toEqual([
      'GET /api/v3/benchmarks',
      'GET /api/v3/benchmarks/{benchmark_id}/items',
      'GET /api/v3/comparisons/{comparison_id}/items',
      'GET /api/v3/evaluations',
      'GET /api/v3/evaluations/{evaluation_id}/results',
      'GET /api/v3/models',
      'GET /api/v3/webhooks',
      'GET /api/v3/webhooks/{webhook_id}/deliveries',
    ]);
    for (const { key, operation } of lists) {
      const params = operation.parameters as { name: string; description?: string; schema: Record<string, unknown> }[];
      expect({ key, limit: params.find((p) => p.name === 'limit')?.schema }).toEqual({
        key,
        limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
      });
      expect(params.find((p) => p.name === 'cursor')?.description).toMatch(/next_cursor/);
      const page = mediaOf(operation.responses['200'], 'application/json').schema as { $ref: string };
      const name = page.$ref.split('/').pop()!;
      const pageSchema = (
        document.components as { schemas: Record<string, { properties: Record<string, { description?: string }>; required: string[] }> }
      ).schemas[name]!;
      expect({ key, required: pageSchema.required }).toEqual({ key, required: expect.arrayContaining(['items', 'next_cursor']) });
      expect(pageSchema.properties.next_cursor?.description).toMatch(/cursor/);
    }
  });

  it('declares the non-JSON answers: the HTML report, and the CSV and JSONL exports of the results', () => {
    const report = document.paths['/api/v3/evaluations/{evaluation_id}/report']!.get!.responses['200'] as { content: Record<string, unknown> };
    const results = document.paths['/api/v3/evaluations/{evaluation_id}/results']!.get!;
    const format = (results.parameters as { name: string; schema: { enum?: string[] } }[]).find((p) => p.name === 'format');

    expect(Object.keys(report.content)).toEqual(['text/html']);
    expect(Object.keys((results.responses['200'] as { content: object }).content)).toEqual(['application/json', 'text/csv', 'application/x-ndjson']);
    expect(format?.schema.enum).toEqual(['json', 'csv', 'jsonl']);
  });

  it('accepts JSON Lines bodies where the route does', () => {
    const ndjsonRoutes = operationsOf()
      .filter(
        ({ operation }) =>
          (operation.requestBody as { content?: object } | undefined)?.content &&
          'application/x-ndjson' in (operation.requestBody as { content: object }).content,
      )
      .map((o) => o.key);

    expect(ndjsonRoutes.sort()).toEqual(['POST /api/v3/benchmarks', 'POST /api/v3/benchmarks/{benchmark_id}/items']);
  });
});

describe('the POST /api/v3/evaluations examples (from the API contract)', () => {
  const requestMedia = mediaOf(createEvaluation().requestBody, 'application/json');
  const responseMedia = mediaOf(createEvaluation().responses['202'], 'application/json');

  it("are the seed's single-model and comparison requests, and each passes the handler's own validation and the document's schema", () => {
    const examples = requestMedia.examples!;

    expect(Object.keys(examples)).toEqual(['single', 'comparison']);
    expect(examples.comparison!.value).toEqual({ model_id: 'claude-3-sonnet-20240229', model_id_2: 'gpt-4', benchmark_id: 'task-abc123' });
    for (const [name, { value }] of Object.entries(examples)) {
      expect({ name, issues: v.safeParse(CreateEvaluationRequestSchema, value).issues }).toEqual({ name, issues: undefined });
      const errors = validator.checkSchema('CreateEvaluationRequest', value);
      expect({ name, errors: describeErrors(errors, value) }).toEqual({ name, errors: '' });
    }
  });

  it("is the seed's response, valid against the response schema, with the message the API really sends", () => {
    const { value } = responseMedia.examples!.created!;

    expect(value).toEqual(expect.objectContaining({ evaluation_id: 'eval-xyz789', status: 'pending', created_at: '2024-01-15T10:30:00Z' }));
    expect((value as { message: string }).message).toBe(CREATED_MESSAGE);
    expect(v.safeParse(CreateEvaluationResponseSchema, value).issues).toBeUndefined();
    expect(describeErrors(validator.checkSchema('CreateEvaluationResponse', value), value)).toBe('');
  });

  it('has request schemas that refuse what the handler refuses (an unknown field, a missing model_id)', () => {
    expect(validator.checkSchema('CreateEvaluationRequest', { model_id: 'gpt-4', benchmark_id: 'task-1', colour: 'red' })).not.toEqual([]);
    expect(validator.checkSchema('CreateEvaluationRequest', { benchmark_id: 'task-1' })).not.toEqual([]);
    expect(
      validator.checkSchema('CreateEvaluationRequest', {
        model_id: 'gpt-4',
        benchmark_id: 'task-1',
        custom_metrics: [{ name: 'has_yes', type: 'contains', value: 'yes' }],
      }),
    ).toEqual([]);
  });
});

describe('the generated client files', () => {
  it('are up to date with the schemas (otherwise: run `npm run generate:client` and commit the result)', async () => {
    const expected = await renderClientFiles(document);

    for (const [path, content] of Object.entries(expected)) {
      const onDisk = readFileSync(join(root, path), 'utf8');
      if (onDisk !== content) {
        throw new Error(`${path} is out of date with the route schemas: run \`npm run generate:client\` and commit the result`);
      }
    }
  });
});

describe('GET /api/v3/openapi.json', () => {
  it('serves the document as JSON without authentication', async () => {
    const response = await openApiHandler(httpEvent({ method: 'GET', path: '/api/v3/openapi.json', headers: {} }), fakeContext());

    expect(response.statusCode).toBe(200);
    expect(response.headers?.['content-type']).toBe('application/json');
    expect(JSON.parse(response.body ?? '')).toEqual(document);
  });
});
