import { newSigningSecret, signWebhook, verifyWebhook } from '#shared/domain/webhooks/signature.js';

/**
 * The example of the Standard Webhooks test vectors (secret, id, timestamp, body); the expected value was
 * computed independently with Python's hmac/hashlib/base64 (python3 -c: base64(HMAC-SHA256(b64decode(key),
 * "msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{\"test\": 2432232314}"))) and matches the specification's.
 */
const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const timestamp = 1614265330;
const body = '{"test": 2432232314}';
const expected = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';

describe('Standard Webhooks signature', () => {
  it('signs the specification example exactly', () => {
    expect(signWebhook(secret, id, timestamp, body)).toEqual({
      'webhook-id': id,
      'webhook-timestamp': '1614265330',
      'webhook-signature': expected,
    });
  });

  it('verifies a matching signature among several and refuses a changed body', () => {
    const headers = { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,bm90IGl0 ${expected}` };
    expect(verifyWebhook(secret, headers, body)).toBe(true);
    expect(verifyWebhook(secret, headers, '{"test": 2432232315}')).toBe(false);
  });

  it('issues secrets of 32 random bytes under the whsec_ prefix', () => {
    const issued = newSigningSecret();
    expect(issued).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(issued.slice(6), 'base64')).toHaveLength(32);
    expect(newSigningSecret()).not.toBe(issued);
  });
});
