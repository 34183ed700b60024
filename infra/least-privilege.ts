/**
 * The IAM vocabulary of the stack: which actions each kind of manifest access grants, and the only
 * resources that may be named with a wildcard, each with the reason AWS or the design leaves no narrower
 * choice. `ArbiterFunction` grants from here; `test/infra/arbiter-stack.test.ts` checks every policy
 * against it, and `docs/infrastructure.md` lists the same exceptions.
 */
import type { QueueAccess, TableAccess } from '#shared/contracts/function-manifest.js';

/**
 * DynamoDB actions per access level, named one by one rather than through the CDK's `grant*Data`, which
 * also grants Scan, DescribeTable and the stream reads (GetRecords, GetShardIterator). Arbiter's stores
 * issue none of those (the tables have no streams); a transaction is authorized by the actions of its
 * parts: Put/Update/Delete, and ConditionCheckItem for a `ConditionCheck` (result rows are written beside
 * one on their chunk's lease).
 */
export const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'] as const;
export const TABLE_WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
] as const;
/** On a secondary index only Query means anything; indexes are named one by one, never `index/*`. */
export const INDEX_READ_ACTIONS = ['dynamodb:Query'] as const;

export function tableActions(access: TableAccess): string[] {
  return [...(access === 'write' ? [] : TABLE_READ_ACTIONS), ...(access === 'read' ? [] : TABLE_WRITE_ACTIONS)];
}

/**
 * SQS actions per access level. SendMessageBatch is authorized as sqs:SendMessage. A consumer needs what
 * Lambda's SQS poller calls (ReceiveMessage, DeleteMessage, GetQueueAttributes), not the GetQueueUrl and
 * ChangeMessageVisibility the CDK's `grantConsumeMessages` adds.
 */
const SEND = ['sqs:SendMessage'];
const CONSUME = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];

export function queueActions(access: QueueAccess): string[] {
  switch (access) {
    case 'send':
      return SEND;
    case 'read':
      // The health check reads the queue's attributes, nothing else.
      return ['sqs:GetQueueAttributes'];
    case 'consume':
      return CONSUME;
    case 'consumeAndSend':
      return [...CONSUME, ...SEND];
  }
}

export interface WildcardException {
  /** The actions granted on the wildcard resource. */
  actions: readonly string[];
  /** How the resource is written in the template, with `<…>` for the partition, region and account. */
  resource: string;
  /** Which functions get it (manifest flag or "every function"). */
  grantedTo: string;
  reason: string;
}

/**
 * Every resource with a `*` that a policy may name. Nothing else may carry one: the stack test fails on
 * any wildcard resource or action not listed here. CloudWatch metrics need no entry: Arbiter writes them
 * as EMF log lines (to the function's own log group), never through cloudwatch:PutMetricData.
 */
export const WILDCARD_EXCEPTIONS: readonly WildcardException[] = [
  {
    actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
    resource: '*',
    grantedTo: 'every function (active tracing)',
    reason: 'X-Ray trace segments and telemetry support no resource-level permissions: AWS requires Resource "*".',
  },
  {
    actions: ['secretsmanager:DescribeSecret'],
    resource: 'arn:<partition>:secretsmanager:<region>:<account>:secret:arbiter/tenants/*',
    grantedTo: 'functions with `secrets: describe` (CreateEvaluation, EstimateEvaluation, RegisterModel)',
    reason:
      'Registration and evaluation creation check that the secret a tenant names exists; tenants create their secrets ' +
      "after deployment, under arbiter/tenants/<tenant_id>/, and the code describes only the caller's own prefix " +
      '(Secrets Manager also appends a random suffix to every secret ARN, which an exact ARN could not predict).',
  },
  {
    actions: ['secretsmanager:GetSecretValue'],
    resource: 'arn:<partition>:secretsmanager:<region>:<account>:secret:arbiter/deployment/*',
    grantedTo: 'functions with `secrets: read` (Evaluator)',
    reason:
      "The deployment's own provider keys (arbiter/deployment/openai, arbiter/deployment/anthropic), which serve built-in " +
      "models at their provider's official endpoint; the operator creates them after deployment, and each secret ARN ends in a random suffix.",
  },
  {
    actions: ['secretsmanager:GetSecretValue'],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, resolved by IAM per session
    resource: 'arn:<partition>:secretsmanager:<region>:<account>:secret:arbiter/tenants/${aws:PrincipalTag/tenant}/*',
    grantedTo: 'the TenantSecretsReader role, assumed by functions with `secrets: read` (Evaluator) with the session tag tenant=<tenant_id>',
    reason:
      "One tenant's provider keys, named by the tenant after deployment: the session tag confines a session to its own tenant's " +
      'prefix (attribute-based access), which is exactly the boundary; the random suffix of secret ARNs rules out exact ARNs.',
  },
  {
    actions: ['bedrock:InvokeModel'],
    resource: 'arn:<partition>:bedrock:*::foundation-model/*',
    grantedTo: 'functions with `invokesBedrock` (Evaluator)',
    reason:
      'Which Bedrock model an evaluation calls is data chosen by tenants at run time, not deployment; cross-region ' +
      'inference profiles route a call to foundation models in several regions, so the region is a wildcard too.',
  },
  {
    actions: ['bedrock:InvokeModel'],
    resource: 'arn:<partition>:bedrock:<region>:<account>:inference-profile/*',
    grantedTo: 'functions with `invokesBedrock` (Evaluator)',
    reason: 'Tenants choose inference profiles at run time; the grant stays within this account and region.',
  },
];
