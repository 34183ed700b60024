/**
 * The operator's tenant settings:
 * `npm run admin -- quota set <tenant> [--active-evaluations 5] [--items-per-evaluation 10000]
 *    [--monthly-spend-usd 100] [--requests-per-minute 600] [--default-budget-usd 5]`
 * `npm run admin -- quota show <tenant>`
 * `npm run admin -- quota clear <tenant> <active_evaluations|items_per_evaluation|monthly_spend_usd|requests_per_minute|default_budget_usd>`
 *
 * Targets the running local stack (`npm start`) by default; `--stack Arbiter-prod [--region eu-west-1]`
 * targets a deployed stack with the AWS credentials of the environment, as `npm run api-key` does.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tableDefinitions } from '#shared/contracts/resources.js';
import type { TenantSettings } from '#shared/contracts/tenants/schemas.js';
import { localStackConfig } from '#shared/platform/config.js';
import { DynamoDbTenantSettingsStore } from '#shared/adapters/dynamodb/tenant-settings-store.js';
import { HttpError } from '#shared/domain/errors.js';
import { clearTenantSetting, setTenantSettings, showTenantSettings } from '#shared/domain/tenants/tenant-admin.js';
import { localDocumentClient } from '../local/seed.js';

const usage = `Usage:
  npm run admin -- quota set <tenant> [--active-evaluations <n>] [--items-per-evaluation <n>]
                                      [--monthly-spend-usd <usd>] [--requests-per-minute <n>] [--default-budget-usd <usd>]
  npm run admin -- quota show <tenant>
  npm run admin -- quota clear <tenant> <name>
A quota not set is unlimited. Counts are whole numbers of at least 1; dollar amounts are above 0.
Options:
  --stack <name>    a deployed stack (e.g. Arbiter-prod) instead of the local stack
  --region <name>   the deployed stack's region (default: AWS_REGION)
  --data-dir <dir>  the local stack's data folder (default: ARBITER_DATA_DIR or .data)`;

/** The flags of `quota set`, by the setting each one sets. */
const valueFlags = {
  'active-evaluations': 'active_evaluations',
  'items-per-evaluation': 'items_per_evaluation',
  'monthly-spend-usd': 'monthly_spend_usd',
  'requests-per-minute': 'requests_per_minute',
  'default-budget-usd': 'default_budget_usd',
} as const;

async function storeFor(options: { stack?: string; region?: string; dataDir: string }): Promise<DynamoDbTenantSettingsStore> {
  if (options.stack) {
    const cloudFormation = new CloudFormationClient({ region: options.region });
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: options.stack }));
    const tableName = Stacks?.[0]?.Outputs?.find((output) => output.OutputKey === 'ApiKeysTableName')?.OutputValue;
    if (!tableName) throw new Error(`Stack ${options.stack} has no ApiKeysTableName output; is it an Arbiter stack?`);
    return new DynamoDbTenantSettingsStore({ client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: options.region })), tableName });
  }
  let state: { env: Record<string, string> };
  try {
    state = JSON.parse(await readFile(join(options.dataDir, 'local-stack.json'), 'utf8'));
  } catch {
    throw new Error(`No running local stack found in ${options.dataDir}: start it with \`npm start\`, or pass --stack for a deployed one`);
  }
  return new DynamoDbTenantSettingsStore({ client: localDocumentClient(state.env), tableName: state.env[tableDefinitions.apiKeys.envVar] });
}

/** A flag's text as a number; text that is no number stays text, so the schema names the flag's problem. */
function numeric(text: string): unknown {
  const trimmed = text.trim();
  return trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
}

function print(tenant: string, settings: TenantSettings): void {
  const row = (name: string, value: number | undefined) => `  ${name.padEnd(22)} ${value === undefined ? 'unlimited' : value}`;
  console.log(`Tenant ${tenant}:`);
  console.log(row('active_evaluations', settings.quotas.active_evaluations));
  console.log(row('items_per_evaluation', settings.quotas.items_per_evaluation));
  console.log(row('monthly_spend_usd', settings.quotas.monthly_spend_usd));
  console.log(row('requests_per_minute', settings.quotas.requests_per_minute));
  console.log(`  ${'default_budget_usd'.padEnd(22)} ${settings.default_budget_usd ?? 'none'}`);
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      'active-evaluations': { type: 'string' },
      'items-per-evaluation': { type: 'string' },
      'monthly-spend-usd': { type: 'string' },
      'requests-per-minute': { type: 'string' },
      'default-budget-usd': { type: 'string' },
      stack: { type: 'string' },
      region: { type: 'string', default: process.env.AWS_REGION },
      'data-dir': { type: 'string', default: localStackConfig.dataDir ?? '.data' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [area, command, tenant, name] = positionals;
  if (values.help || !area) {
    console.log(usage);
    return;
  }
  if (area !== 'quota' || !command || !tenant) throw new Error(`Expected \`quota set|show|clear <tenant>\`\n${usage}`);
  const store = await storeFor({ stack: values.stack, region: values.region, dataDir: values['data-dir'] });
  switch (command) {
    case 'show':
      print(tenant, await showTenantSettings(store, tenant));
      return;
    case 'set': {
      const given: Record<string, unknown> = {};
      for (const [flag, setting] of Object.entries(valueFlags) as [keyof typeof valueFlags, string][]) {
        const text = values[flag];
        if (text !== undefined) given[setting] = numeric(text);
      }
      print(tenant, await setTenantSettings(store, tenant, given));
      return;
    }
    case 'clear':
      if (!name) throw new Error(`\`quota clear\` needs the setting's name\n${usage}`);
      print(tenant, await clearTenantSetting(store, tenant, name));
      return;
    default:
      throw new Error(`Unknown command quota ${command}\n${usage}`);
  }
}

main().catch((error: Error) => {
  const fields = error instanceof HttpError ? error.errors.map((field) => `\n  ${field.path ? `${field.path}: ` : ''}${field.message}`).join('') : '';
  console.error(`admin: ${error.message}${fields}`);
  process.exitCode = 1;
});
