import net from 'node:net';
import { jest } from '@jest/globals';
import { buildConnector } from 'undici';
import { createEgressAgent, type Resolver } from '#shared/adapters/providers/egress-guard.js';
import { withRetries } from '#shared/adapters/providers/retry.js';
import { createEgressPolicy } from '#shared/domain/models/egress-policy.js';
import { startFakeModelServer } from '../../../local/fake-model-server/server.js';
import { OpenAiChatClient } from '#shared/adapters/providers/openai-chat.js';
import { ProviderError, type GenerateRequest } from '#shared/domain/ports/model-client.js';
import { startWireServer, type WireServer } from '../../support/provider-wire/wire-server.js';

const request: GenerateRequest = { prompt: 'Say hello.', parameters: {}, timeoutMs: 2000 };
const completion = { choices: [{ message: { content: 'hello' }, finish_reason: 'stop' }], usage: { prompt_tokens: 2, completion_tokens: 1 } };

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe('redirects', () => {
  let first: WireServer;
  let second: WireServer;

  beforeEach(async () => {
    [first, second] = await Promise.all([startWireServer(), startWireServer()]);
  });
  afterEach(() => Promise.all([first.stop(), second.stop()]));

  it.each([301, 302, 303, 307, 308])('a %i is a provider error, never a hop to where it points', async (status) => {
    first.reply({ status, headers: { location: `${second.url}/v1/chat/completions` }, body: '' });
    second.reply({ body: completion });
    const client = new OpenAiChatClient({ model: 'm', baseUrl: `${first.url}/v1` });

    const error = await failure(client.generate(request));

    expect(error).toMatchObject({ status, retryable: false });
    expect(error.message).toContain('redirect');
    expect(first.requests).toHaveLength(1);
    expect(second.requests).toHaveLength(0);
  });
});

const cloud = createEgressPolicy({ mode: 'cloud', allow: [] });
const local = createEgressPolicy({ mode: 'local', allow: [] });

/** A resolver that answers every name with `addresses` and records what it was asked. */
function resolverOf(...addresses: string[]): Resolver & { asked: string[] } {
  const asked: string[] = [];
  const resolve = async (hostname: string) => {
    asked.push(hostname);
    return addresses.map((address) => ({ address, family: net.isIP(address) }));
  };
  return Object.assign(resolve, { asked });
}

/** A connector that opens nothing and records every attempt: the proof that no socket was tried. */
function connectorDouble() {
  const attempts: buildConnector.Options[] = [];
  const connect: buildConnector.connector = (options, callback) => {
    attempts.push(options);
    callback(new Error('the connector double never connects'), null);
  };
  return { connect, attempts };
}

describe('the egress guard', () => {
  let netConnect: ReturnType<typeof jest.spyOn>;

  beforeEach(() => {
    netConnect = jest.spyOn(net, 'connect');
  });
  afterEach(() => netConnect.mockRestore());

  it.each([
    ['the instance metadata service', ['169.254.169.254']],
    ['the container credentials endpoint', ['169.254.170.2']],
    ['the metadata service over IPv6', ['fd00:ec2::254']],
    ['a private address', ['10.0.0.7']],
    ['loopback', ['127.0.0.1']],
    ['IPv4-mapped metadata', ['::ffff:169.254.169.254']],
    ['IPv4-compatible loopback', ['::7f00:1']],
    ['NAT64 of a private address', ['64:ff9b::c0a8:101']],
    ['a public address and a private one (a rebinding answer)', ['93.184.216.34', '10.0.0.7']],
    ['a private address behind a public one, IPv6 first', ['2606:2800:220:1:248:1893:25c8:1946', '::ffff:10.0.0.7']],
  ])('refuses a name that resolves to %s with egress_denied, never retried, without opening a socket', async (_, addresses) => {
    const resolve = resolverOf(...addresses);
    const { connect, attempts } = connectorDouble();
    const client = withRetries(
      new OpenAiChatClient({
        model: 'm',
        baseUrl: 'https://models.example.com/v1',
        dispatcher: createEgressAgent({ policy: cloud, resolve, connect }),
      }),
      {
        sleep: async () => {},
      },
    );

    const error = await failure(client.generate(request));

    expect(error).toMatchObject({ code: 'egress_denied', retryable: false, attempts: 1 });
    expect(error.message).toContain('models.example.com');
    for (const address of addresses) expect(error.message).not.toContain(address);
    expect(resolve.asked).toEqual(['models.example.com']);
    expect(attempts).toHaveLength(0);
    expect(netConnect).not.toHaveBeenCalled();
  });

  it('refuses a literal address without asking the resolver, and no connection reaches the server', async () => {
    const server = await startWireServer();
    const connections: net.Socket[] = [];
    const tripwire = net.createServer((socket) => connections.push(socket));
    await new Promise<void>((resolve) => tripwire.listen(0, '127.0.0.1', () => resolve()));
    try {
      const resolve = resolverOf('93.184.216.34');
      const { port } = tripwire.address() as net.AddressInfo;
      const dispatcher = createEgressAgent({ policy: cloud, resolve });

      const error = await failure(new OpenAiChatClient({ model: 'm', baseUrl: `https://127.0.0.1:${port}/v1`, dispatcher }).generate(request));
      const plain = await failure(new OpenAiChatClient({ model: 'm', baseUrl: `${server.url}/v1`, dispatcher }).generate(request));

      expect(error.code).toBe('egress_denied');
      expect(plain.code).toBe('egress_denied');
      expect(resolve.asked).toEqual([]);
      expect(netConnect).not.toHaveBeenCalled();
      expect(connections).toHaveLength(0);
      expect(server.requests).toHaveLength(0);
    } finally {
      for (const socket of connections) socket.destroy();
      await new Promise((resolve) => tripwire.close(resolve));
      await server.stop();
    }
  });

  it('refuses plain http to a public address on the cloud policy, without opening a socket', async () => {
    const resolve = resolverOf('93.184.216.34');
    const { connect, attempts } = connectorDouble();

    const error = await failure(
      new OpenAiChatClient({
        model: 'm',
        baseUrl: 'http://models.example.com/v1',
        dispatcher: createEgressAgent({ policy: cloud, resolve, connect }),
      }).generate(request),
    );

    expect(error).toMatchObject({ code: 'egress_denied', message: expect.stringContaining('https') });
    expect(attempts).toHaveLength(0);
  });

  it('connects to the address it checked, not to the name (no second lookup for a rebinding answer to slip into)', async () => {
    const fake = await startFakeModelServer();
    try {
      const { port } = new URL(fake.url);
      const resolve = resolverOf('127.0.0.1');
      const dialled: string[] = [];
      const real = buildConnector({});
      const connect: buildConnector.connector = (options, callback) => {
        dialled.push(options.hostname);
        real(options, callback);
      };
      const client = new OpenAiChatClient({
        model: 'fake',
        baseUrl: `http://model.test:${port}/v1`,
        dispatcher: createEgressAgent({ policy: local, resolve, connect }),
      });

      const result = await client.generate({ ...request, prompt: 'What is 2 + 3?' });

      expect(result.text).toBe('5');
      expect(resolve.asked).toEqual(['model.test']);
      expect(dialled).toEqual(['127.0.0.1']);
      expect(fake.stats().requests).toBe(1);
    } finally {
      await fake.stop();
    }
  });

  it('tries the next checked address when one does not connect', async () => {
    const fake = await startFakeModelServer();
    try {
      const { port } = new URL(fake.url);
      // ::1 may or may not listen; 127.0.0.2 is loopback with nothing on that port, then the server.
      const resolve = resolverOf('127.0.0.2', '127.0.0.1');
      const dialled: string[] = [];
      const real = buildConnector({});
      const connect: buildConnector.connector = (options, callback) => {
        dialled.push(options.hostname);
        real(options, callback);
      };
      const client = new OpenAiChatClient({
        model: 'fake',
        baseUrl: `http://model.test:${port}/v1`,
        dispatcher: createEgressAgent({ policy: local, resolve, connect }),
      });

      await expect(client.generate({ ...request, prompt: 'What is 2 + 3?' })).resolves.toMatchObject({ text: '5' });
      expect(dialled).toEqual(['127.0.0.2', '127.0.0.1']);
    } finally {
      await fake.stop();
    }
  });

  it('calls the fake model server on loopback through the container guard on the local policy, as npm start does', async () => {
    const fake = await startFakeModelServer();
    try {
      const result = await new OpenAiChatClient({ model: 'fake', baseUrl: fake.url }).generate({ ...request, prompt: 'What is 6 * 7?' });

      expect(result.text).toBe('42');
      expect(netConnect).toHaveBeenCalled();
    } finally {
      await fake.stop();
    }
  });

  it('reports a name that does not resolve as a network error', async () => {
    const resolve: Resolver = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.test'), { code: 'ENOTFOUND' });
    };
    const { connect } = connectorDouble();

    const error = await failure(
      new OpenAiChatClient({
        model: 'm',
        baseUrl: 'https://nowhere.test/v1',
        dispatcher: createEgressAgent({ policy: cloud, resolve, connect }),
      }).generate(request),
    );

    expect(error).toMatchObject({ code: 'network_error', retryable: true, message: expect.stringContaining('ENOTFOUND') });
  });
});
