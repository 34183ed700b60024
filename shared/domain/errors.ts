/**
 * Errors that carry their HTTP meaning. Domain code throws these; one middleware (`http/error-handler`)
 * turns them into responses, so no handler builds an error body by hand.
 */

export interface FieldError {
  /** Dotted path of the offending field, e.g. `custom_metrics.1.name`; `''` for the body itself. */
  path: string;
  message: string;
}

export interface ErrorBody {
  code: string;
  message: string;
  errors?: FieldError[];
}

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly errors: FieldError[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }

  /** Only client errors are safe to show; a 5xx never leaks its internals. */
  get expose(): boolean {
    return this.statusCode < 500;
  }

  toJSON(): ErrorBody {
    return this.errors.length > 0 ? { code: this.code, message: this.message, errors: this.errors } : { code: this.code, message: this.message };
  }
}

export class ValidationError extends HttpError {
  constructor(errors: FieldError[], message = 'The request is not valid') {
    super(400, 'validation_error', message, errors);
  }
}

/** A `cursor` query parameter this API did not issue for the list being read (tampered, or from another list). */
export class InvalidCursorError extends ValidationError {
  constructor() {
    super([{ path: 'cursor', message: 'is not a cursor this API issued for this list' }], 'The query string is not valid');
  }
}

export class MalformedJsonError extends HttpError {
  constructor(detail?: string) {
    super(400, 'malformed_json', 'The request body is not valid JSON', detail ? [{ path: '', message: detail }] : []);
  }
}

export class UnsupportedMediaTypeError extends HttpError {
  constructor(expected: string) {
    super(415, 'unsupported_media_type', `Unsupported Media Type: send Content-Type ${expected}`, [
      { path: 'content-type', message: `expected ${expected}` },
    ]);
  }
}

export class PayloadTooLargeError extends HttpError {
  constructor(limitBytes: number) {
    super(413, 'payload_too_large', `Request Entity Too Large: the limit is ${limitBytes} bytes`);
  }
}

export class UnauthorizedError extends HttpError {
  constructor(reason: string) {
    super(401, 'unauthorized', 'Unauthorized', [{ path: 'authorization', message: reason }], {
      'www-authenticate': 'Bearer',
    });
  }
}

export class ForbiddenError extends HttpError {
  constructor(requiredScope: string) {
    super(403, 'forbidden', 'Forbidden', [{ path: 'authorization', message: `this API key lacks the scope ${requiredScope}` }]);
  }
}

export class NotFoundError extends HttpError {
  constructor(resource: string, id: string, path = '') {
    super(404, 'not_found', `Not Found: no ${resource} ${id}`, path ? [{ path, message: `unknown ${resource}` }] : []);
  }
}

export class ConflictError extends HttpError {
  constructor(message: string, code = 'conflict') {
    super(409, code, message);
  }
}

/** Well-formed, but refers to something that cannot be used (an unknown benchmark or model, …). */
export class UnprocessableEntityError extends HttpError {
  constructor(code: string, message: string, errors: FieldError[] = []) {
    super(422, code, message, errors);
  }
}

export class ServiceUnavailableError extends HttpError {
  constructor(message: string) {
    super(503, 'service_unavailable', message, [], { 'retry-after': '5' });
  }
}
