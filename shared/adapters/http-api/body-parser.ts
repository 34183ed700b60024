import type { MiddlewareObj, Request } from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

const json = httpJsonBodyParser();

/**
 * JSON through middy's parser, or newline-delimited JSON (`application/x-ndjson`) turned into the same
 * shape by `fromNdjson`, so one schema validates both.
 */
export function jsonOrNdjsonBodyParser(fromNdjson: (text: string) => unknown): MiddlewareObj<APIGatewayProxyEventV2> {
  return {
    before: async (request: Request<APIGatewayProxyEventV2>) => {
      const contentType = request.event.headers?.['content-type'] ?? '';
      if (!/^application\/(x-)?ndjson(;|$)|^application\/jsonl(;|$)/i.test(contentType)) {
        return json.before?.(request as never);
      }
      const raw = request.event.body ?? '';
      const text = request.event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
      (request.event as { body: unknown }).body = fromNdjson(text);
    },
  };
}
