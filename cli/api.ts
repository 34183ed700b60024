import { createArbiterClient, type ArbiterClient } from '../client/index.js';
import { resolveConnection, type Connection } from './config.js';
import { ApiCallError, CliError, type ApiErrorBody } from './errors.js';
import type { Io } from './io.js';

export interface Api {
  client: ArbiterClient;
  endpoint: string;
}

export function connect(io: Io, connection: Connection = resolveConnection(io.env)): Api {
  const client = createArbiterClient({ ...connection, ...(io.fetch ? { fetch: io.fetch } : {}) });
  return { client, endpoint: connection.endpoint };
}

const hints: Record<number, string> = {
  401: '  check the API key: `arbiter login --endpoint URL --api-key KEY`, or ARBITER_API_KEY',
  403: '  the API key lacks the scope this command needs; create one with more scopes (`npm run api-key -- create`)',
  429: '  the service is throttling requests; try again in a moment',
};

function errorBody(error: unknown): ApiErrorBody {
  if (typeof error === 'object' && error !== null) return error as ApiErrorBody;
  return typeof error === 'string' && error.trim() ? { message: error.trim().slice(0, 500) } : {};
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

interface Result<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * Awaits one typed-client call: its data on success; an ApiCallError carrying the API's `code`, `message`
 * and offending fields otherwise; a plain error naming the endpoint when the service cannot be reached.
 */
export async function call<T>(api: Api, request: () => Promise<Result<T>>): Promise<{ data: T; response: Response }> {
  let result: Result<T>;
  try {
    result = await request();
  } catch (error) {
    throw new CliError(`cannot reach ${api.endpoint} (${describeNetworkError(error)})`, undefined, [
      '  is the service running (`npm start`), and is the endpoint right (`arbiter login`, ARBITER_ENDPOINT)?',
    ]);
  }
  if (!result.response.ok) throw new ApiCallError(result.response.status, errorBody(result.error), hints[result.response.status]);
  return { data: result.data as T, response: result.response };
}

/**
 * A schema as a response carries it: openapi-fetch passes response types through its `Readable<>` helper,
 * which turns tuples such as `ci95: [low, high]` into plain arrays. Views take this wider type.
 */
export type Received<T> = T extends readonly (infer Item)[]
  ? readonly Received<Item>[]
  : T extends object
    ? { [Key in keyof T]: Received<T[Key]> }
    : T;
