import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configPath, readConfig, resolveConnection, writeConfig } from '../../../cli/config.js';
import { CliError } from '../../../cli/errors.js';
import { cli, fakeApi, json, tempEnv } from './support.js';

describe('config file location', () => {
  it('follows ARBITER_CONFIG, then XDG_CONFIG_HOME, then ~/.config', () => {
    expect(configPath({ ARBITER_CONFIG: '/x/c.json', XDG_CONFIG_HOME: '/xdg', HOME: '/home/u' })).toBe('/x/c.json');
    expect(configPath({ XDG_CONFIG_HOME: '/xdg', HOME: '/home/u' })).toBe('/xdg/arbiter/config.json');
    expect(configPath({ HOME: '/home/u' })).toBe('/home/u/.config/arbiter/config.json');
  });
});

describe('writeConfig', () => {
  it('writes the key readable by its owner only, even over a file others could read', () => {
    const { dir, cleanup } = tempEnv();
    try {
      const path = join(dir, 'nested', 'config.json');
      writeConfig(path, { endpoint: 'http://a', api_key: 'k1' });
      expect(statSync(path).mode & 0o777).toBe(0o600);

      chmodSync(path, 0o644);
      writeConfig(path, { endpoint: 'http://b', api_key: 'k2' });

      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(readConfig(path)).toEqual({ endpoint: 'http://b', api_key: 'k2' });
    } finally {
      cleanup();
    }
  });
});

describe('resolveConnection', () => {
  it('prefers ARBITER_ENDPOINT and ARBITER_API_KEY over the file', () => {
    const { dir, cleanup } = tempEnv({ loggedIn: false });
    try {
      const path = join(dir, 'config.json');
      writeConfig(path, { endpoint: 'http://file', api_key: 'from-file' });

      expect(resolveConnection({ ARBITER_CONFIG: path })).toEqual({ endpoint: 'http://file', apiKey: 'from-file' });
      expect(resolveConnection({ ARBITER_CONFIG: path, ARBITER_API_KEY: 'from-env' })).toEqual({ endpoint: 'http://file', apiKey: 'from-env' });
      expect(resolveConnection({ ARBITER_CONFIG: path, ARBITER_ENDPOINT: 'http://env', ARBITER_API_KEY: 'k' })).toEqual({
        endpoint: 'http://env',
        apiKey: 'k',
      });
    } finally {
      cleanup();
    }
  });

  it('says how to log in when there is neither a file nor the variables, and refuses a file that is not JSON', () => {
    const { dir, cleanup } = tempEnv({ loggedIn: false });
    try {
      expect(() => resolveConnection({ ARBITER_CONFIG: join(dir, 'none.json') })).toThrow('not logged in');
      writeFileSync(join(dir, 'bad.json'), '{oops');
      expect(() => resolveConnection({ ARBITER_CONFIG: join(dir, 'bad.json') })).toThrow(CliError);
    } finally {
      cleanup();
    }
  });
});

describe('arbiter login', () => {
  it('checks the key against the service, then saves endpoint and key with mode 0600', async () => {
    const { env, cleanup } = tempEnv({ loggedIn: false });
    const api = fakeApi({ 'GET /api/v3/evaluations': () => ({ items: [], next_cursor: null }) });
    try {
      const run = await cli(['login', '--endpoint', 'http://arbiter.test/', '--api-key', 'arb_good'], { env, fetch: api.fetch });

      expect(run.code).toBe(0);
      expect(api.requests[0]!.headers.get('authorization')).toBe('Bearer arb_good');
      expect(JSON.parse(readFileSync(env.ARBITER_CONFIG!, 'utf8'))).toEqual({ endpoint: 'http://arbiter.test', api_key: 'arb_good' });
      expect(statSync(env.ARBITER_CONFIG!).mode & 0o777).toBe(0o600);
    } finally {
      cleanup();
    }
  });

  it('saves nothing when the service refuses the key, and says why', async () => {
    const { env, cleanup } = tempEnv({ loggedIn: false });
    const api = fakeApi({
      'GET /api/v3/evaluations': () =>
        json(401, {
          code: 'unauthorized',
          message: 'Unauthorized',
          errors: [{ path: 'authorization', message: 'the API key is unknown or has been revoked' }],
        }),
    });
    try {
      const run = await cli(['login', '--endpoint', 'http://arbiter.test', '--api-key', 'arb_bad'], { env, fetch: api.fetch });

      expect(run.code).toBe(1);
      expect(run.stderr).toContain('error: Unauthorized (unauthorized)\n  authorization: the API key is unknown or has been revoked\n');
      expect(existsSync(env.ARBITER_CONFIG!)).toBe(false);
    } finally {
      cleanup();
    }
  });

  it('answers a usage error for an endpoint that is not a URL', async () => {
    const { env, cleanup } = tempEnv({ loggedIn: false });
    try {
      const run = await cli(['login', '--endpoint', 'localhost:3000', '--api-key', 'k'], { env });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('error: --endpoint must be an http or https URL such as http://127.0.0.1:3000 (got "localhost:3000")');
    } finally {
      cleanup();
    }
  });
});
