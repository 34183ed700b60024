import { Command } from 'commander';
import { connect, call } from '../api.js';
import { configPath, writeConfig } from '../config.js';
import { ApiCallError, UsageError } from '../errors.js';
import { print, type Io } from '../io.js';

function checkEndpoint(text: string): string {
  let protocol: string | undefined;
  try {
    protocol = new URL(text).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'http:' && protocol !== 'https:')
    throw new UsageError(`--endpoint must be an http or https URL such as http://127.0.0.1:3000 (got "${text}")`);
  return text.replace(/\/+$/, '');
}

export function loginCommand(io: Io): Command {
  return new Command('login')
    .description('check an API key against the service and keep it in the config file (readable by you only)')
    .requiredOption('--endpoint <url>', 'the service: http://127.0.0.1:3000 locally, the ApiUrl output in AWS')
    .requiredOption('--api-key <key>', 'an API key (`npm run api-key -- create`)')
    .option('--no-verify', 'save without calling the service')
    .action(async (options: { endpoint: string; apiKey: string; verify: boolean }) => {
      const endpoint = checkEndpoint(options.endpoint);
      if (options.verify) {
        const api = connect(io, { endpoint, apiKey: options.apiKey });
        try {
          await call(api, () => api.client.GET('/api/v3/evaluations', { params: { query: { limit: 1 } } }));
        } catch (error) {
          // A key without evaluations:read is still a valid key: keep it, and say what it cannot do.
          if (!(error instanceof ApiCallError && error.status === 403)) throw error;
          print(io.stderr, 'note: this key cannot read evaluations (it lacks the evaluations:read scope)');
        }
      }
      const path = configPath(io.env);
      writeConfig(path, { endpoint, api_key: options.apiKey });
      print(io.stdout, `logged in to ${endpoint}; saved to ${path} (mode 0600)`);
    });
}
