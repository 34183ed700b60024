/**
 * The typed Arbiter client: `openapi-fetch` over the types `npm run generate:client` derives from the
 * OpenAPI document, so every path, parameter, body and response is checked by the compiler.
 *
 * ```ts
 * const arbiter = createArbiterClient({ endpoint: 'http://localhost:3000', apiKey });
 * const { data, error, response } = await arbiter.POST('/api/v3/evaluations', {
 *   body: { model_id: 'baseline:reference', benchmark_id },
 * });
 * ```
 * Each call answers `{ data }` on success or `{ error }` (the API's `{ code, message, errors }`) otherwise;
 * it never throws for an HTTP status.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { components, operations, paths } from './schema.js';

export type { components, operations, paths };
/**
 * Typed for JSON answers: a route that also answers other media types (the report's HTML, the results'
 * CSV and JSONL exports) is read with `parseAs: 'text'`, whose `data` is then a string.
 */
export type ArbiterClient = Client<paths, 'application/json'>;
/** The document's named schemas: `Schemas['Evaluation']`, `Schemas['Error']`, … */
export type Schemas = components['schemas'];
export type ApiError = Schemas['Error'];

export interface ArbiterClientOptions {
  /** The deployment's base URL (`http://localhost:3000`, the API Gateway URL); a trailing `/api/v3` is ignored. */
  endpoint: string;
  /** Sent as `Authorization: Bearer <apiKey>`; leave out for the public routes only. */
  apiKey?: string;
  /** A fetch to use instead of the global one (tests, proxies, retries). */
  fetch?: typeof fetch;
}

export function createArbiterClient(options: ArbiterClientOptions): ArbiterClient {
  const baseUrl = options.endpoint.replace(/\/+$/, '').replace(/\/api\/v3$/, '');
  return createClient<paths, 'application/json'>({
    baseUrl,
    ...(options.apiKey ? { headers: { authorization: `Bearer ${options.apiKey}` } } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}
