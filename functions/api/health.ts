import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, sqsClient } from '#shared/adapters/aws-clients.js';
import { healthProbeKey } from '#shared/adapters/dynamodb/keys.js';
import { queueUrl as queueUrlFrom, tableName as tableNameFrom } from '#shared/platform/config.js';
import { publicRoute } from '#shared/adapters/http-api/route.js';
import { logger } from '#shared/platform/logger.js';
import { queueDefinitions, tableDefinitions } from '#shared/contracts/resources.js';

const tableName = tableNameFrom(tableDefinitions.evaluations.envVar);
const queueUrl = queueUrlFrom(queueDefinitions.work.envVar);

async function check(name: string, probe: () => Promise<unknown>): Promise<'ok' | 'unreachable'> {
  try {
    await probe();
    return 'ok';
  } catch (error) {
    logger.error('health check failed', { dependency: name, error: error as Error });
    return 'unreachable';
  }
}

/** 200 once the service can reach its table and its queue; 503 naming what it cannot reach. */
export const handler = publicRoute(async () => {
  const [table, queue] = await Promise.all([
    check('table', () => documentClient.send(new GetCommand({ TableName: tableName, Key: healthProbeKey }))),
    check('queue', () => sqsClient.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }))),
  ]);
  const healthy = table === 'ok' && queue === 'ok';
  return { statusCode: healthy ? 200 : 503, body: { status: healthy ? 'ok' : 'degraded', checks: { table, queue } } };
});
