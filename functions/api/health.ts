import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, sqsClient } from '#shared/adapters/aws-clients.js';
import { healthProbeKey } from '#shared/adapters/dynamodb/keys.js';
import { readEvaluatorHealth, type EvaluatorReport } from '#shared/adapters/local-stack/heartbeats.js';
import { localStackConfig, queueUrl as queueUrlFrom, tableName as tableNameFrom } from '#shared/platform/config.js';
import { publicRoute } from '#shared/adapters/http-api/route.js';
import { logger } from '#shared/platform/logger.js';
import { queueDefinitions, tableDefinitions } from '#shared/contracts/resources.js';

const tableName = tableNameFrom(tableDefinitions.evaluations.envVar);
const queueUrl = queueUrlFrom(queueDefinitions.work.envVar);
// Set by the local stack only: in the cloud, Lambda itself replaces a dead or timed-out evaluator.
const heartbeatDir = localStackConfig.heartbeatDir;

async function check(name: string, probe: () => Promise<unknown>): Promise<'ok' | 'unreachable'> {
  try {
    await probe();
    return 'ok';
  } catch (error) {
    logger.error('health check failed', { dependency: name, error: error as Error });
    return 'unreachable';
  }
}

/** The worst state among the local evaluators: one that is dead, restarting or stuck degrades the stack. */
function evaluatorsCheck(reports: EvaluatorReport[]): 'ok' | 'stuck' | 'dead' | 'restarting' {
  for (const state of ['dead', 'stuck', 'restarting'] as const) if (reports.some((report) => report.state === state)) return state;
  return 'ok';
}

/**
 * 200 once the service can reach its table and its queue; 503 naming what it cannot reach. On the local
 * stack also 503 while an evaluator process is dead, restarting or stuck (its heartbeat is stale), with
 * each process's state under `components.evaluators`.
 */
export const handler = publicRoute(async () => {
  const [table, queue] = await Promise.all([
    check('table', () => documentClient.send(new GetCommand({ TableName: tableName, Key: healthProbeKey }))),
    check('queue', () => sqsClient.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }))),
  ]);
  const evaluators = heartbeatDir ? readEvaluatorHealth(heartbeatDir, localStackConfig.heartbeatStaleSeconds * 1000) : undefined;
  const evaluatorsState = evaluators && evaluators.length > 0 ? evaluatorsCheck(evaluators) : undefined;
  const healthy = table === 'ok' && queue === 'ok' && (evaluatorsState === undefined || evaluatorsState === 'ok');
  return {
    statusCode: healthy ? 200 : 503,
    body: {
      status: healthy ? 'ok' : 'degraded',
      checks: { table, queue, ...(evaluatorsState ? { evaluators: evaluatorsState } : {}) },
      ...(evaluators && evaluators.length > 0 ? { components: { evaluators } } : {}),
    },
  };
});
