import { publicRoute } from '#shared/adapters/http-api/route.js';
import { buildOpenApiDocument, type OpenApiDocument } from '#shared/contracts/openapi/document.js';

// Built on the first request and kept for the container's life: the schemas cannot change under it.
let document: OpenApiDocument | undefined;

/** The OpenAPI 3.1 document, generated from the same valibot schemas the handlers validate with. */
export const handler = publicRoute(async () => {
  document ??= buildOpenApiDocument();
  return { statusCode: 200, body: document, headers: { 'cache-control': 'public, max-age=300' } };
});
