import * as v from 'valibot';
import { ConflictError } from '#shared/domain/errors.js';
import { httpRoute } from '#shared/adapters/http-api/route.js';
import { fakeContext, httpEvent } from '../support/lambda.js';

const BodySchema = v.strictObject({ name: v.pipe(v.string('must be a string'), v.nonEmpty('must not be empty')) });

const echo = httpRoute({ scope: 'evaluations:write', body: BodySchema, maxBodyBytes: 100 }, async ({ body, caller }) => ({
  statusCode: 201,
  body: { name: body.name, tenant: caller.tenantId },
  headers: { location: '/x' },
}));

async function call(event = httpEvent({ body: '{"name":"a"}' }), handler = echo) {
  const result = await handler(event, fakeContext());
  return { ...result, json: result.body ? JSON.parse(result.body) : undefined };
}

describe('httpRoute', () => {
  it('runs the domain call with the validated body and the caller, and answers JSON', async () => {
    const result = await call();
    expect(result.statusCode).toBe(201);
    expect(result.headers).toMatchObject({ 'content-type': 'application/json', location: '/x' });
    expect(result.json).toEqual({ name: 'a', tenant: 'tenant-a' });
  });

  it('answers 401 with a reason when the authorizer found no usable key', async () => {
    const result = await call(httpEvent({ body: '{"name":"a"}', auth: { auth_error: 'unknown_key' } }));
    expect(result.statusCode).toBe(401);
    expect(result.json).toEqual({
      code: 'unauthorized',
      message: 'Unauthorized',
      errors: [{ path: 'authorization', message: 'the API key is unknown or has been revoked' }],
    });
  });

  it('answers 403 naming the missing scope', async () => {
    const auth = { tenant_id: 't', key_id: 'k', scopes: 'evaluations:read' };
    const result = await call(httpEvent({ body: '{"name":"a"}', auth }));
    expect(result.statusCode).toBe(403);
    expect(result.json.errors[0].message).toContain('evaluations:write');
  });

  it('authenticates before reading the body, so anonymous callers learn nothing about it', async () => {
    const result = await call(httpEvent({ body: '{not json', auth: {} }));
    expect(result.statusCode).toBe(401);
  });

  it('answers 413 with the limit before parsing a large body', async () => {
    const result = await call(httpEvent({ body: JSON.stringify({ name: 'x'.repeat(200) }) }));
    expect(result.statusCode).toBe(413);
    expect(result.json).toMatchObject({ code: 'payload_too_large', message: expect.stringContaining('100 bytes') });
  });

  it('answers 400 malformed_json for a body that is not JSON', async () => {
    const result = await call(httpEvent({ body: '{"name":' }));
    expect(result.statusCode).toBe(400);
    expect(result.json.code).toBe('malformed_json');
  });

  it('answers 415 when the content type is not JSON', async () => {
    const result = await call(httpEvent({ body: '{"name":"a"}', headers: { 'content-type': 'text/plain' } }));
    expect(result.statusCode).toBe(415);
    expect(result.json.code).toBe('unsupported_media_type');
  });

  it('answers 400 listing every offending field', async () => {
    const result = await call(httpEvent({ body: '{"name":"","extra":1}' }));
    expect(result.statusCode).toBe(400);
    expect(result.json.code).toBe('validation_error');
    expect(result.json.errors).toEqual(
      expect.arrayContaining([{ path: 'name', message: 'must not be empty' }, expect.objectContaining({ path: 'extra' })]),
    );
  });

  it('maps a domain error to its status and code', async () => {
    const conflict = httpRoute({ scope: 'evaluations:read' }, async () => {
      throw new ConflictError('already finished');
    });
    const result = await call(httpEvent({ method: 'GET' }), conflict);
    expect(result.statusCode).toBe(409);
    expect(result.json).toEqual({ code: 'conflict', message: 'already finished' });
  });

  it('answers 500 without leaking the internal error', async () => {
    const broken = httpRoute({ scope: 'evaluations:read' }, async () => {
      throw new Error('connection string postgres://secret');
    });
    const result = await call(httpEvent({ method: 'GET' }), broken);
    expect(result.statusCode).toBe(500);
    expect(result.json).toEqual({ code: 'internal_error', message: 'Internal Server Error' });
    expect(result.body).not.toContain('secret');
  });
});
