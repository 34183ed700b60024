import { UsageQuerySchema } from '#shared/contracts/tenants/schemas.js';
import { getUsage } from '#shared/domain/tenants/usage-view.js';
import { minuteWindow } from '#shared/domain/tenants/calendar.js';
import { httpRoute } from '#shared/adapters/http-api/route.js';
import { documentClient } from '#shared/adapters/aws-clients.js';
import { tableName } from '#shared/platform/config.js';
import { tableDefinitions } from '#shared/contracts/resources.js';
import { DynamoDbTenantSettingsStore } from '#shared/adapters/dynamodb/tenant-settings-store.js';
import { DynamoDbTenantUsageStore } from '#shared/adapters/dynamodb/tenant-usage-records.js';
import { DynamoDbRequestRates } from '#shared/adapters/dynamodb/request-rates.js';

const rates = new DynamoDbRequestRates();
const deps = {
  settings: new DynamoDbTenantSettingsStore(),
  usage: new DynamoDbTenantUsageStore({ client: documentClient, tableName: tableName(tableDefinitions.evaluations.envVar) }),
  requestsThisMinute: (tenantId: string) => rates.counted(tenantId, minuteWindow(new Date())),
};

export const handler = httpRoute({ scope: 'usage:read', query: UsageQuerySchema }, async ({ caller, query }) => ({
  statusCode: 200,
  body: await getUsage(deps, caller.tenantId, query.month),
}));
