import openapiTS, { astToString, COMMENT_HEADER, type OpenAPI3 } from 'openapi-typescript';
import { buildOpenApiDocument, type OpenApiDocument } from '../shared/contracts/openapi/document.js';

/** The generated files under `client/`, by path from the repository root. */
export interface ClientFiles {
  'client/openapi.json': string;
  'client/schema.d.ts': string;
}

/**
 * `client/openapi.json` and `client/schema.d.ts` as `npm run generate:client` writes them; the unit test
 * renders them again and compares, so a schema change without regenerating fails.
 */
export async function renderClientFiles(document: OpenApiDocument = buildOpenApiDocument()): Promise<ClientFiles> {
  const ast = await openapiTS(document as unknown as OpenAPI3, {
    silent: true,
    // A field with a default may be left out of a request: keep it optional in the types.
    defaultNonNullable: false,
  });
  const types = astToString(ast);
  return {
    'client/openapi.json': `${JSON.stringify(document, null, 2)}\n`,
    'client/schema.d.ts': `${COMMENT_HEADER}${types}`,
  };
}
