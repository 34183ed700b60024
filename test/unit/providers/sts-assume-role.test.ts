/**
 * The deployment's AssumeRole goes through the real STS client: the request it sends (the tenant's session
 * tag, the reader role, the session name) and the credentials it reads back, against a loopback STS double.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { assumeRoleWithSts } from '#shared/adapters/secrets/tenant-secrets.js';

const reply = `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
<Credentials><AccessKeyId>ASIATENANT</AccessKeyId><SecretAccessKey>secret</SecretAccessKey><SessionToken>token</SessionToken>
<Expiration>2030-01-01T00:00:00Z</Expiration></Credentials>
<AssumedRoleUser><AssumedRoleId>AROA:arbiter-acme</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/reader/arbiter-acme</Arn></AssumedRoleUser>
</AssumeRoleResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></AssumeRoleResponse>`;

describe('assumeRoleWithSts', () => {
  let server: Server;
  const bodies: string[] = [];
  const saved = { ...process.env };

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        bodies.push(body);
        response.writeHead(200, { 'content-type': 'text/xml' }).end(reply);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_STS: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIAEVALUATOR',
      AWS_SECRET_ACCESS_KEY: 'evaluator-secret',
    });
  });
  afterAll(async () => {
    process.env = saved;
    await new Promise((resolve) => server.close(resolve));
  });

  it('asks for a session of the reader role tagged with the tenant, and returns its credentials', async () => {
    const credentials = await assumeRoleWithSts()({
      RoleArn: 'arn:aws:iam::123456789012:role/reader',
      RoleSessionName: 'arbiter-acme',
      Tags: [{ Key: 'tenant', Value: 'acme' }],
      DurationSeconds: 900,
    });

    expect(credentials).toMatchObject({ AccessKeyId: 'ASIATENANT', SecretAccessKey: 'secret', SessionToken: 'token' });
    const sent = new URLSearchParams(bodies[0]);
    expect(Object.fromEntries(sent)).toMatchObject({
      Action: 'AssumeRole',
      RoleArn: 'arn:aws:iam::123456789012:role/reader',
      RoleSessionName: 'arbiter-acme',
      DurationSeconds: '900',
      'Tags.member.1.Key': 'tenant',
      'Tags.member.1.Value': 'acme',
    });
  });
});
