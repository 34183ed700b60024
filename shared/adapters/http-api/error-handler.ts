import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { HttpError, MalformedJsonError, UnsupportedMediaTypeError } from '../../domain/errors.js';
import { logger } from '../../platform/logger.js';
import { jsonResponse } from './responses.js';

interface MiddyHttpError extends Error {
  statusCode?: number;
  cause?: { package?: string };
}

/** Errors thrown by middy's own middlewares are translated into ours, so clients see one error shape. */
function fromMiddy(error: MiddyHttpError): HttpError | undefined {
  if (error.cause?.package !== '@middy/http-json-body-parser') return undefined;
  return error.message === 'Unsupported Media Type' ? new UnsupportedMediaTypeError('application/json') : new MalformedJsonError();
}

/** The one place that turns an error into an HTTP response. Registered first so its onError runs last. */
export function httpErrorHandler(): MiddlewareObj<unknown, APIGatewayProxyStructuredResultV2> {
  return {
    onError: async (request) => {
      const error = request.error as MiddyHttpError;
      const httpError = error instanceof HttpError ? error : fromMiddy(error);
      if (httpError?.expose) {
        logger.info('request rejected', { status: httpError.statusCode, code: httpError.code, errors: httpError.errors });
        request.response = jsonResponse(httpError.statusCode, httpError.toJSON(), httpError.headers);
        return;
      }
      if (httpError) {
        logger.error('request failed', { status: httpError.statusCode, code: httpError.code, error: httpError });
        request.response = jsonResponse(httpError.statusCode, httpError.toJSON(), httpError.headers);
        return;
      }
      logger.error('unhandled error', { error });
      request.response = jsonResponse(500, { code: 'internal_error', message: 'Internal Server Error' });
    },
  };
}
