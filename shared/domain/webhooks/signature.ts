/**
 * The Standard Webhooks signature scheme (standardwebhooks.com): the secret is `whsec_` + base64 key
 * bytes; the signed content is `<webhook-id>.<webhook-timestamp>.<body>`; the header carries
 * `v1,<base64 HMAC-SHA256>`, space-separated when several keys are current.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';
/** 32 bytes: the spec asks for 24 to 64. */
const SECRET_BYTES = 32;

export function newSigningSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString('base64')}`;
}

function keyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
}

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** The three headers for a body; `timestampSeconds` is whole Unix seconds, as the spec requires. */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): SignedHeaders {
  const digest = createHmac('sha256', keyOf(secret)).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(timestampSeconds), 'webhook-signature': `v1,${digest}` };
}

/** A receiver's check, used by tests and shown in docs/webhooks.md: any listed v1 signature may match. */
export function verifyWebhook(secret: string, headers: SignedHeaders, body: string): boolean {
  const expected = Buffer.from(signWebhook(secret, headers['webhook-id'], Number(headers['webhook-timestamp']), body)['webhook-signature']);
  return headers['webhook-signature'].split(' ').some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
