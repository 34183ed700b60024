/**
 * `npm run api-key -- create --tenant acme [--scopes read|all|evaluations:read,…] [--name ci]`
 * `npm run api-key -- list --tenant acme`
 * `npm run api-key -- revoke --tenant acme --key-id key-…`
 *
 * Targets the running local stack (`npm start`) by default; `--stack Arbiter-prod [--region eu-west-1]`
 * targets a deployed stack with the AWS credentials of the environment.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { expandScopes } from '#shared/contracts/auth/scopes.js';
import { tableDefinitions } from '#shared/contracts/resources.js';
import { localStackConfig } from '#shared/platform/config.js';
import { DynamoDbApiKeyStore } from '#shared/adapters/dynamodb/api-key-store.js';
import { NotFoundError } from '#shared/domain/errors.js';
import { localDocumentClient } from '../local/seed.js';

const usage = `Usage:
  npm run api-key -- create --tenant <tenant> [--scopes all|read|<scope>,<scope>] [--name <label>]
  npm run api-key -- list --tenant <tenant>
  npm run api-key -- revoke --tenant <tenant> --key-id <key-id>
Options:
  --stack <name>    a deployed stack (e.g. Arbiter-prod) instead of the local stack
  --region <name>   the deployed stack's region (default: AWS_REGION)
  --data-dir <dir>  the local stack's data folder (default: ARBITER_DATA_DIR or .data)`;

async function storeFor(options: { stack?: string; region?: string; dataDir: string }): Promise<DynamoDbApiKeyStore> {
  if (options.stack) {
    const cloudFormation = new CloudFormationClient({ region: options.region });
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: options.stack }));
    const tableName = Stacks?.[0]?.Outputs?.find((output) => output.OutputKey === 'ApiKeysTableName')?.OutputValue;
    if (!tableName) throw new Error(`Stack ${options.stack} has no ApiKeysTableName output; is it an Arbiter stack?`);
    const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: options.region }));
    return new DynamoDbApiKeyStore({ client, tableName });
  }
  let state: { env: Record<string, string> };
  try {
    state = JSON.parse(await readFile(join(options.dataDir, 'local-stack.json'), 'utf8'));
  } catch {
    throw new Error(`No running local stack found in ${options.dataDir}: start it with \`npm start\`, or pass --stack for a deployed one`);
  }
  return new DynamoDbApiKeyStore({ client: localDocumentClient(state.env), tableName: state.env[tableDefinitions.apiKeys.envVar] });
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      tenant: { type: 'string' },
      scopes: { type: 'string', default: 'all' },
      name: { type: 'string' },
      'key-id': { type: 'string' },
      stack: { type: 'string' },
      region: { type: 'string', default: process.env.AWS_REGION },
      'data-dir': { type: 'string', default: localStackConfig.dataDir ?? '.data' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (values.help || !command) {
    console.log(usage);
    return;
  }
  const tenant = values.tenant;
  if (!tenant || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(tenant)) {
    throw new Error('--tenant is required: lower-case letters, digits and -, at most 63 characters');
  }
  const store = await storeFor({ stack: values.stack, region: values.region, dataDir: values['data-dir'] });
  switch (command) {
    case 'create': {
      const { key, record } = await store.issue({
        tenantId: tenant,
        scopes: expandScopes(values.scopes.split(',').map((scope) => scope.trim())),
        name: values.name,
      });
      console.log(`Created ${record.key_id} for tenant ${tenant} with scopes ${record.scopes.join(' ')}.`);
      console.log('The key is shown once and stored only as a hash:');
      // Alone on the last line, so scripts can capture it with `tail -n 1`.
      console.log(key);
      return;
    }
    case 'list': {
      const records = await store.list(tenant);
      console.table(
        records.map((r) => ({
          key_id: r.key_id,
          prefix: r.prefix,
          name: r.name ?? '',
          scopes: r.scopes.join(' '),
          created_at: r.created_at,
          revoked_at: r.revoked_at ?? '',
        })),
      );
      return;
    }
    case 'revoke': {
      const keyId = values['key-id'];
      if (!keyId) throw new Error('--key-id is required (see `list`)');
      const record = await store.revoke(tenant, keyId);
      if (!record) throw new NotFoundError('API key', keyId);
      console.log(`Revoked ${record.key_id} at ${record.revoked_at}.`);
      return;
    }
    default:
      throw new Error(`Unknown command ${command}\n${usage}`);
  }
}

main().catch((error: Error) => {
  console.error(`api-key: ${error.message}`);
  process.exitCode = 1;
});
