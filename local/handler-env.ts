/**
 * The environment every handler gets locally: what the CDK stack sets on each function (table names,
 * queue URLs), plus what Lambda itself provides (region, credentials) and the SDK's per-service endpoint
 * variables that point the unchanged handler code at the emulators.
 */
import { DEFAULT_JUDGE_MODEL_ID } from '#shared/contracts/models/builtin-defaults.js';
import { queueDefinitions, tableDefinitions, type QueueName, type TableName } from '#shared/contracts/resources.js';
import { serviceConfig } from '#shared/platform/config.js';
import { localCredentials, localRegion } from './aws-local.js';
import type { LocalResources } from './create-resources.js';

export interface HandlerEnvInput {
  dynamoDbEndpoint: string;
  sqsEndpoint: string;
  resources: LocalResources;
  logLevel?: string;
}

export function handlerEnvironment(input: HandlerEnvInput): Record<string, string> {
  const env: Record<string, string> = {
    AWS_REGION: localRegion,
    AWS_DEFAULT_REGION: localRegion,
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: input.dynamoDbEndpoint,
    AWS_ENDPOINT_URL_SQS: input.sqsEndpoint,
    POWERTOOLS_SERVICE_NAME: 'arbiter',
    // Provider keys come from environment variables here; a deployment reads Secrets Manager instead.
    ARBITER_CREDENTIALS: 'env',
    LOG_LEVEL: input.logLevel ?? 'INFO',
    // As the CDK stack sets it; the shell's value wins, so a local run can judge with a registered model.
    ARBITER_DEFAULT_JUDGE_MODEL: serviceConfig.defaultJudgeModel ?? DEFAULT_JUDGE_MODEL_ID,
    // The cloud's egress policy plus loopback and plain http, so a model served on this machine can be
    // registered and called; the shell's value wins, to try the cloud policy locally. ARBITER_EGRESS_ALLOW
    // passes through from the shell with the rest of its environment.
    ARBITER_EGRESS_POLICY: process.env.ARBITER_EGRESS_POLICY || 'local',
  };
  for (const name of Object.keys(tableDefinitions) as TableName[]) {
    env[tableDefinitions[name].envVar] = input.resources.tables[name];
  }
  for (const name of Object.keys(queueDefinitions) as QueueName[]) {
    env[queueDefinitions[name].envVar] = input.resources.queues[name].url;
  }
  return env;
}

/**
 * The environment of a local child process: ours, minus anything that could send the SDK to a real AWS
 * account (a profile, a session token), plus the handler environment.
 */
export function childProcessEnv(handlerEnv: Record<string, string>, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of [
    'AWS_PROFILE',
    'AWS_SESSION_TOKEN',
    'AWS_SECURITY_TOKEN',
    'AWS_ENDPOINT_URL',
    'AWS_CONFIG_FILE',
    'AWS_SHARED_CREDENTIALS_FILE',
  ]) {
    delete env[name];
  }
  return { ...env, ...handlerEnv, ...extra };
}
