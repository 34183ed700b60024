import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';

/** The parts of an OpenAPI document this module reads. */
export interface OpenApiLike {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>>;
  components?: { schemas?: Record<string, unknown> };
}

const ROOT = 'https://arbiter.invalid/openapi.json';

const pointer = (segments: string[]) => `#/${segments.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;

// RFC 3339 date-time, as JSON Schema's `date-time` format defines it.
const dateTime = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Validates values against the schemas of an OpenAPI 3.1 document with a real JSON Schema 2020-12
 * validator (ajv), following its `$ref`s into `components.schemas`.
 */
export function openApiValidator(document: OpenApiLike) {
  // Strict, but for tuples: a valibot `tuple` (as `scale: [low, high]` in a metric) ignores extra items,
  // which is exactly what a `prefixItems` without `items` says.
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictTuples: false });
  ajv.addFormat('date-time', { validate: (value: string) => dateTime.test(value) && !Number.isNaN(Date.parse(value)) });
  ajv.addFormat('uri', { validate: (value: string) => URL.canParse(value) });
  // The document's own keys are not JSON Schema keywords: declare them so strict mode accepts the root.
  ajv.addKeyword({ keyword: 'components' });
  ajv.addKeyword({ keyword: 'paths' });
  ajv.addSchema({ $id: ROOT, components: document.components ?? {}, paths: document.paths });

  const cache = new Map<string, ValidateFunction>();
  const compiled = (ref: string) => {
    let validate = cache.get(ref);
    if (!validate) {
      validate = ajv.compile({ $ref: `${ROOT}${ref}` });
      cache.set(ref, validate);
    }
    return validate;
  };

  return {
    /** Errors of `value` against a named schema (`components.schemas[name]`); empty when it conforms. */
    checkSchema(name: string, value: unknown): ErrorObject[] {
      const validate = compiled(pointer(['components', 'schemas', name]));
      return validate(value) ? [] : [...(validate.errors ?? [])];
    },
    /** The schema of one response, or undefined when the document declares none for that status and media type. */
    hasResponse(path: string, method: string, status: number, mediaType: string): boolean {
      return document.paths[path]?.[method.toLowerCase()]?.responses[String(status)]?.content?.[mediaType]?.schema !== undefined;
    },
    /** Errors of a response body against the document's schema for that route, status and media type. */
    checkResponse(path: string, method: string, status: number, mediaType: string, body: unknown): ErrorObject[] {
      const validate = compiled(pointer(['paths', path, method.toLowerCase(), 'responses', String(status), 'content', mediaType, 'schema']));
      return validate(body) ? [] : [...(validate.errors ?? [])];
    },
  };
}

/** Ajv errors as lines a person can act on: where, what, and the offending value. */
export function describeErrors(errors: readonly ErrorObject[], value: unknown): string {
  return errors
    .map((error) => {
      const at = error.instancePath || '(root)';
      let found: unknown = value;
      for (const key of error.instancePath.split('/').slice(1))
        found = (found as Record<string, unknown> | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')];
      const extra = error.keyword === 'additionalProperties' ? ` "${(error.params as { additionalProperty: string }).additionalProperty}"` : '';
      return `  ${at}: ${error.message}${extra} (schema ${error.schemaPath}); value: ${JSON.stringify(found)?.slice(0, 200)}`;
    })
    .join('\n');
}
