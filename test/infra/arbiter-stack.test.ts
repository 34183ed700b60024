/**
 * The stack, checked one resource concern at a time against the same definitions it is built from
 * (`shared/contracts/function-manifest.ts`, `shared/contracts/resources.ts`), plus cdk-nag's AwsSolutions pack as a policy test.
 *
 * The stacks are built without bundling (`aws:cdk:bundling-stacks: []`) and from stub handlers in a
 * temporary directory: these tests are about the infrastructure, not the handlers' code, and they must
 * not depend on every handler in the manifest being written yet. `npm run synth` bundles the real ones.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { App, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { functionDefinitions, type FunctionDefinition } from '#shared/contracts/function-manifest.js';
import {
  evaluatorSettings,
  queueDefinitions,
  tableDefinitions,
  type QueueDefinition,
  type QueueName,
  type TableDefinition,
} from '#shared/contracts/resources.js';
import { ArbiterStack, EVALUATOR_ERROR_RATE_PERCENT, ITEMS_FAILED_PERCENT, REPOSITORY_ROOT } from '../../infra/arbiter-stack.js';
import { DEFAULT_THROTTLE, parseStage, readDeploymentConfig } from '../../infra/config.js';
import { WILDCARD_EXCEPTIONS } from '../../infra/least-privilege.js';
import { nagPacks } from '../../infra/nag-packs.js';
import { METRICS_NAMESPACE } from '#shared/platform/metric-names.js';

const SYNTH_TIMEOUT_MS = 60_000;
const DEFAULT_EVALUATOR_TIMEOUT = evaluatorSettings.timeoutSeconds;

interface Built {
  app: App;
  stack: ArbiterStack;
  template: Template;
}

let stubRoot: string;

function writeStubHandlers(definitions: readonly FunctionDefinition[]): void {
  for (const definition of definitions) {
    const file = join(stubRoot, definition.entry);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, 'export const handler = async () => ({});\n');
  }
}

/** `change` runs before synthesis, which happens once per app: a change after it would not show. */
function build(stage: string, props: Partial<ConstructorParameters<typeof ArbiterStack>[2]> = {}, change?: (stack: ArbiterStack) => void): Built {
  writeStubHandlers(props.functions ?? functionDefinitions);
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new ArbiterStack(app, `Arbiter-${stage}`, { stage, projectRoot: stubRoot, ...props });
  change?.(stack);
  return { app, stack, template: Template.fromStack(stack) };
}

function logicalId(construct: IConstruct): string {
  const stack = Stack.of(construct);
  return stack.resolve((construct.node.defaultChild as CfnElement).logicalId) as string;
}

/** Every IAM action granted to the role of function `id`, across all policies attached to it. */
function grantedActions(built: Built, id: string): string[] {
  const roleId = logicalId(built.stack.functionFor(id).role);
  const policies = built.template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) },
  });
  return Object.values(policies).flatMap((policy) =>
    (policy.Properties.PolicyDocument.Statement as { Action: string | string[] }[]).flatMap((statement) =>
      Array.isArray(statement.Action) ? statement.Action : [statement.Action],
    ),
  );
}

/**
 * A policy resource as one string: `Data<Table>.Arn`, `<AWS::Region>` for pseudo-parameters, joins
 * concatenated. Logical ids keep their hash suffix out: `DataEvaluations6FC26536` → `DataEvaluations`.
 */
function renderResource(value: unknown): string {
  if (typeof value === 'string') return value;
  const object = value as Record<string, unknown>;
  if ('Ref' in object) return `<${String(object.Ref).replace(/[0-9A-F]{8}$/, '')}>`;
  if ('Fn::GetAtt' in object) {
    const [id, attribute] = object['Fn::GetAtt'] as [string, string];
    return `${id.replace(/[0-9A-F]{8}$/, '')}.${attribute}`;
  }
  if ('Fn::Join' in object) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map(renderResource).join(separator);
  }
  throw new Error(`Unexpected policy resource ${JSON.stringify(value)}`);
}

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Every statement of every policy attached to the role of function `id`. */
function statementsOf(built: Built, id: string): Statement[] {
  const roleId = logicalId(built.stack.functionFor(id).role);
  const policies = built.template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) },
  });
  return Object.values(policies).flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

/** The environment variables of function `id`, as the template has them. */
function environmentOf(built: Built, id: string): Record<string, unknown> {
  const fn = built.stack.functionFor(id).function;
  const resources = built.template.findResources('AWS::Lambda::Function');
  return (resources[logicalId(fn)]?.Properties.Environment?.Variables ?? {}) as Record<string, unknown>;
}

/** What function `id` may do, as sorted `action on resource` lines. */
function grants(built: Built, id: string): string[] {
  return statementsOf(built, id)
    .flatMap((statement) => {
      expect(statement).toMatchObject({ Effect: 'Allow' });
      expect(statement.Condition).toBeUndefined();
      return asArray(statement.Action).flatMap((action) => asArray(statement.Resource).map((resource) => `${action} on ${renderResource(resource)}`));
    })
    .sort();
}

/**
 * What the manifest says function `definition` needs, spelled out action by action: the specification
 * the stack's grants are held to (an action added to the stack and not here fails the test).
 */
function expectedGrants(definition: FunctionDefinition): string[] {
  const on = (resource: string, actions: readonly string[]) => actions.map((action) => `${action} on ${resource}`);
  const tableReads = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
  const tableWrites = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:ConditionCheckItem'];
  const queueActions: Record<string, string[]> = {
    send: ['sqs:SendMessage'],
    read: ['sqs:GetQueueAttributes'],
    consume: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
    consumeAndSend: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:SendMessage'],
  };
  const expected = [
    ...on(`${definition.id}LogGroup.Arn`, ['logs:CreateLogStream', 'logs:PutLogEvents']),
    ...on('*', ['xray:PutTraceSegments', 'xray:PutTelemetryRecords']),
  ];
  for (const [name, access] of Object.entries(definition.tables) as [keyof typeof tableDefinitions, string][]) {
    const table: TableDefinition = tableDefinitions[name];
    const arn = `Data${table.id}.Arn`;
    if (access !== 'write') {
      expected.push(...on(arn, tableReads));
      for (const index of table.globalSecondaryIndexes) expected.push(...on(`${arn}/index/${index.indexName}`, ['dynamodb:Query']));
    }
    if (access !== 'read') expected.push(...on(arn, tableWrites));
  }
  for (const [name, access] of Object.entries(definition.queues) as [QueueName, string][]) {
    expected.push(...on(`Data${queueDefinitions[name].id}.Arn`, queueActions[access]!));
  }
  // Registration and creation check a tenant's secret exists (code only ever names the caller's own
  // prefix); the evaluator reads the deployment's secrets as itself and a tenant's only through the
  // tenant-tagged session of the reader role, never with a grant of its own.
  if (definition.secrets === 'describe') {
    expected.push(
      ...on('arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:arbiter/tenants/*', ['secretsmanager:DescribeSecret']),
    );
  }
  if (definition.secrets === 'read') {
    expected.push(
      ...on('arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:arbiter/deployment/*', ['secretsmanager:GetSecretValue']),
      ...on('TenantSecretsReaderRole.Arn', ['sts:AssumeRole', 'sts:TagSession']),
    );
  }
  if (definition.invokesBedrock) {
    expected.push(
      ...on('arn:<AWS::Partition>:bedrock:*::foundation-model/*', ['bedrock:InvokeModel']),
      ...on('arn:<AWS::Partition>:bedrock:<AWS::Region>:<AWS::AccountId>:inference-profile/*', ['bedrock:InvokeModel']),
    );
  }
  return expected.sort();
}

const tables = Object.entries(tableDefinitions) as [keyof typeof tableDefinitions, TableDefinition][];
const queues = Object.entries(queueDefinitions) as [QueueName, QueueDefinition][];
const routes = functionDefinitions.flatMap((definition) => definition.routes.map((route) => ({ definition, route })));

let dev: Built;
let prod: Built;

beforeAll(() => {
  stubRoot = mkdtempSync(join(tmpdir(), 'arbiter-infra-'));
  writeFileSync(join(stubRoot, 'package-lock.json'), '{}\n');
  dev = build('dev');
  prod = build('prod');
}, SYNTH_TIMEOUT_MS);

afterAll(() => {
  rmSync(stubRoot, { recursive: true, force: true });
});

describe('configuration', () => {
  test('a valid stage and throttle settings are read from context', () => {
    const app = new App({ context: { stage: 'pr-42', throttleRateLimit: '50', throttleBurstLimit: 80 } });

    const config = readDeploymentConfig(app.node);

    expect(config).toEqual({
      stage: 'pr-42',
      throttle: { rateLimit: 50, burstLimit: 80 },
      defaultJudgeModel: 'anthropic.claude-3-haiku-20240307-v1:0',
      egressAllow: [],
    });
  });

  test('the egress allowlist is read from context, as a string or a list, and a malformed entry is refused', () => {
    const allow = (egressAllow: unknown) => readDeploymentConfig(new App({ context: { stage: 'dev', egressAllow } }).node).egressAllow;
    expect(allow('vllm.internal, 10.20.0.0/16')).toEqual(['vllm.internal', '10.20.0.0/16']);
    expect(allow(['vllm.internal', 'fd12::/64'])).toEqual(['vllm.internal', 'fd12::/64']);
    expect(() => allow('https://vllm.internal')).toThrow(/egressAllow/);
    expect(() => allow(42)).toThrow(/egressAllow/);
  });

  test('every function runs the cloud egress policy, with the allowlist only when one is given', () => {
    const variables = (built: Built, id: string) =>
      (
        built.stack.resolve((built.stack.functions[id]!.function.node.defaultChild as CfnElement & { environment?: unknown }).environment) as
          | { variables?: Record<string, unknown> }
          | undefined
      )?.variables ?? {};
    const allowing = build('egress', { egressAllow: ['vllm.internal', '10.20.0.0/16'] });
    for (const definition of functionDefinitions) {
      expect(variables(allowing, definition.id)).toMatchObject({
        ARBITER_EGRESS_POLICY: 'cloud',
        ARBITER_EGRESS_ALLOW: 'vllm.internal,10.20.0.0/16',
      });
      expect(variables(dev, definition.id)).toMatchObject({ ARBITER_EGRESS_POLICY: 'cloud' });
      expect(variables(dev, definition.id).ARBITER_EGRESS_ALLOW).toBeUndefined();
    }
  });

  test('the default judge model is read from context, and a malformed one is refused', () => {
    expect(readDeploymentConfig(new App({ context: { stage: 'dev', defaultJudgeModel: 'gpt-4o-mini' } }).node).defaultJudgeModel).toBe('gpt-4o-mini');
    expect(() => readDeploymentConfig(new App({ context: { stage: 'dev', defaultJudgeModel: 'not a model' } }).node)).toThrow(/defaultJudgeModel/);
  });

  test('CreateEvaluation and the evaluator are told the default judge; other functions are not', () => {
    const built = build('judge', { defaultJudgeModel: 'gpt-4o-mini' });
    const environment = (id: string) =>
      (
        built.stack.resolve((built.stack.functions[id]!.function.node.defaultChild as CfnElement & { environment?: unknown }).environment) as
          | { variables?: Record<string, unknown> }
          | undefined
      )?.variables ?? {};
    expect(environment('CreateEvaluation')).toMatchObject({ ARBITER_DEFAULT_JUDGE_MODEL: 'gpt-4o-mini' });
    expect(environment('Evaluator')).toMatchObject({ ARBITER_DEFAULT_JUDGE_MODEL: 'gpt-4o-mini' });
    expect(environment('ListEvaluations').ARBITER_DEFAULT_JUDGE_MODEL).toBeUndefined();
  });

  test('throttling defaults to 100 requests per second with bursts of 200', () => {
    const config = readDeploymentConfig(new App({ context: { stage: 'dev' } }).node);

    expect(config.throttle).toEqual({ rateLimit: 100, burstLimit: 200 });
  });

  test.each([undefined, '', 'prod_1', 'my stage', '1dev', 'a'.repeat(21)])('stage %p is refused with a hint', (stage) => {
    expect(() => parseStage(stage)).toThrow(/stage/);
  });

  test('a throttle that is not a positive integer is refused', () => {
    const app = new App({ context: { stage: 'dev', throttleRateLimit: 'fast' } });

    expect(() => readDeploymentConfig(app.node)).toThrow(/throttleRateLimit/);
  });

  test.each(functionDefinitions.map((definition) => [definition.id, definition.entry]))('the handler of %s exists at %s', (_id, entry) => {
    expect(existsSync(join(REPOSITORY_ROOT, entry))).toBe(true);
  });
});

describe('tables', () => {
  test.each(tables)('%s: on-demand, point-in-time recovery, encrypted, keys and indexes as defined', (_name, definition) => {
    const keySchema = [
      { AttributeName: definition.partitionKey.name, KeyType: 'HASH' },
      ...(definition.sortKey ? [{ AttributeName: definition.sortKey.name, KeyType: 'RANGE' }] : []),
    ];

    dev.template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: keySchema,
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true },
      Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
      GlobalSecondaryIndexes:
        definition.globalSecondaryIndexes.length > 0
          ? definition.globalSecondaryIndexes.map((index) => ({
              IndexName: index.indexName,
              KeySchema: [
                { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
                { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'ALL' },
            }))
          : Match.absent(),
      TimeToLiveSpecification: definition.timeToLiveAttribute ? { AttributeName: definition.timeToLiveAttribute, Enabled: true } : Match.absent(),
    });
  });

  test('every table in the template, not only the defined ones, is encrypted at rest with point-in-time recovery', () => {
    for (const built of [dev, prod]) {
      built.template.allResourcesProperties('AWS::DynamoDB::GlobalTable', {
        SSESpecification: { SSEEnabled: true },
        Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
      });
      built.template.resourceCountIs('AWS::DynamoDB::Table', 0);
    }
  });

  test('prod retains its tables and protects them from deletion', () => {
    const found = prod.template.findResources('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: { Replicas: [Match.objectLike({ DeletionProtectionEnabled: true })] },
    });

    expect(Object.keys(found)).toHaveLength(tables.length);
  });

  test('other stages delete their tables with the stack', () => {
    const found = dev.template.findResources('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Delete' });

    expect(Object.keys(found)).toHaveLength(tables.length);
  });
});

describe('queues', () => {
  test.each(queues)('%s: SQS-managed encryption, retention and visibility as defined', (name, definition) => {
    dev.template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: definition.retentionSeconds,
      VisibilityTimeout: definition.visibilityTimeoutSeconds,
      RedrivePolicy: definition.deadLetterQueue
        ? {
            deadLetterTargetArn: {
              'Fn::GetAtt': [logicalId(dev.stack.dataStores.queues[definition.deadLetterQueue as QueueName]), 'Arn'],
            },
            maxReceiveCount: definition.maxReceiveCount,
          }
        : Match.absent(),
    });
    expect(dev.stack.dataStores.queues[name]).toBeDefined();
  });

  test.each(queues)('%s: refuses requests that do not use TLS', (name) => {
    dev.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: logicalId(dev.stack.dataStores.queues[name]) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  test('every queue in the template, not only the defined ones, is encrypted and refuses plain HTTP', () => {
    const queueIds = Object.keys(dev.template.findResources('AWS::SQS::Queue'));
    dev.template.allResourcesProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    const tlsOnly = Object.values(
      dev.template.findResources('AWS::SQS::QueuePolicy', {
        Properties: {
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            ]),
          },
        },
      }),
    ).flatMap((policy) => (policy.Properties.Queues as { Ref: string }[]).map((queue) => queue.Ref));

    expect(tlsOnly.sort()).toEqual(queueIds.sort());
  });

  test('a consumed queue hides a message for at least six times the consumer timeout', () => {
    const consumed = functionDefinitions.flatMap((definition) =>
      Object.entries(definition.queues)
        .filter(([, access]) => access === 'consume' || access === 'consumeAndSend')
        .map(([name]) => name as QueueName),
    );
    expect(consumed.length).toBeGreaterThan(0);

    for (const name of consumed) {
      const queue = dev.template.toJSON().Resources[logicalId(dev.stack.dataStores.queues[name])];
      expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * DEFAULT_EVALUATOR_TIMEOUT);
    }
  });
});

describe('functions', () => {
  test('every function runs Node.js 22 on arm64 with tracing, source maps and its own log group', () => {
    dev.template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      {
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: Match.anyValue() },
        Environment: {
          Variables: Match.objectLike({
            NODE_OPTIONS: '--enable-source-maps',
            POWERTOOLS_SERVICE_NAME: 'arbiter',
            LOG_LEVEL: Match.anyValue(),
          }),
        },
      },
      functionDefinitions.length,
    );
  });

  test('log groups keep one month', () => {
    dev.template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test.each(functionDefinitions)('$id: memory, timeout and the variables of what it binds', (definition) => {
    const limits =
      definition.kind === 'evaluator'
        ? { MemorySize: evaluatorSettings.memorySizeMb, Timeout: evaluatorSettings.timeoutSeconds }
        : { MemorySize: 256, Timeout: 10 };
    const variables: Record<string, unknown> = {};
    for (const name of Object.keys(definition.tables) as (keyof typeof tableDefinitions)[]) {
      variables[tableDefinitions[name].envVar] = { Ref: logicalId(dev.stack.dataStores.tables[name]) };
    }
    for (const name of Object.keys(definition.queues) as QueueName[]) {
      variables[queueDefinitions[name].envVar] = { Ref: logicalId(dev.stack.dataStores.queues[name]) };
    }

    dev.template.hasResourceProperties('AWS::Lambda::Function', {
      Description: definition.description,
      ...limits,
      Environment: { Variables: Match.objectLike(variables) },
    });
  });

  test('the evaluator also knows the dead-letter queue', () => {
    dev.template.hasResourceProperties('AWS::Lambda::Function', {
      Description: functionDefinitions.find((definition) => definition.kind === 'evaluator')?.description,
      Environment: {
        Variables: Match.objectLike({
          WORK_QUEUE_URL: { Ref: logicalId(dev.stack.dataStores.queues.work) },
          WORK_DLQ_URL: { Ref: logicalId(dev.stack.dataStores.queues.workDeadLetter) },
        }),
      },
    });
  });

  test('the evaluator consumes the work queue in small batches, with partial failures and capped concurrency', () => {
    const evaluator = functionDefinitions.find((definition) => definition.kind === 'evaluator');

    dev.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(dev.stack.functionFor(evaluator?.id ?? '').function) },
      EventSourceArn: { 'Fn::GetAtt': [logicalId(dev.stack.dataStores.queues.work), 'Arn'] },
      BatchSize: evaluatorSettings.batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: evaluatorSettings.maxConcurrency },
    });
  });
});

describe('least privilege', () => {
  test('no role carries a managed policy', () => {
    dev.template.allResourcesProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });

  test('every role but the tenant secrets reader is a function role that only Lambda may assume, with no inline policy', () => {
    const roles = dev.template.findResources('AWS::IAM::Role');
    const reader = logicalId(dev.stack.tenantSecretsReader!.role);
    const functionRoles = Object.entries(roles).filter(([id]) => id !== reader);

    expect(functionRoles).toHaveLength(functionDefinitions.length);
    expect(Object.keys(roles)).toHaveLength(functionDefinitions.length + 1);
    for (const [, role] of functionRoles) {
      expect(role.Properties.Policies).toBeUndefined();
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
      ]);
    }
  });

  test.each(functionDefinitions)('$id: holds exactly the actions its manifest entry needs, on exactly those resources', (definition) => {
    expect(grants(dev, definition.id)).toEqual(expectedGrants(definition));
  });

  test('no action is a wildcard, and only the documented resources carry one', () => {
    const policies = Object.values(dev.template.findResources('AWS::IAM::Policy'));
    const placeholders = (resource: string) =>
      resource.replace('<AWS::Partition>', '<partition>').replace('<AWS::Region>', '<region>').replace('<AWS::AccountId>', '<account>');

    const wildcards = new Set<string>();
    for (const policy of policies) {
      for (const statement of policy.Properties.PolicyDocument.Statement as Statement[]) {
        for (const action of asArray(statement.Action)) expect(action).not.toContain('*');
        for (const resource of asArray(statement.Resource).map(renderResource).map(placeholders)) {
          if (!resource.includes('*')) continue;
          const exception = WILDCARD_EXCEPTIONS.find((candidate) => candidate.resource === resource);
          expect({ resource, documented: exception !== undefined }).toEqual({ resource, documented: true });
          expect(exception?.actions).toEqual(expect.arrayContaining(asArray(statement.Action)));
          wildcards.add(resource);
        }
      }
    }
    // Every documented exception is still in use: the list (and docs/infrastructure.md) stays true.
    expect([...wildcards].sort()).toEqual(WILDCARD_EXCEPTIONS.map((exception) => exception.resource).sort());
    for (const exception of WILDCARD_EXCEPTIONS) expect(exception.reason.length).toBeGreaterThan(60);
  });

  test('a policy names only tables, indexes and queues of this stack (no other account, region or table)', () => {
    const own = new Set([
      ...Object.values(dev.stack.dataStores.tables).map((table) => logicalId(table).replace(/[0-9A-F]{8}$/, '')),
      ...Object.values(dev.stack.dataStores.queues).map((queue) => logicalId(queue).replace(/[0-9A-F]{8}$/, '')),
    ]);
    const named = functionDefinitions
      .flatMap((definition) => grants(dev, definition.id))
      .map((grant) => grant.split(' on ')[1]!)
      .filter((resource) => /:dynamodb:|:sqs:|^Data/.test(resource))
      .map((resource) => resource.split('.Arn')[0]!);

    expect(named.length).toBeGreaterThan(0);
    for (const resource of named) expect(own.has(resource)).toBe(true);
  });

  test('GetEvaluationStatus can read but neither write an item nor send a message, beyond counting its request', () => {
    const actions = grantedActions(dev, 'GetEvaluationStatus');
    // The request-rate quota counts every authenticated request in its own table, which holds nothing else.
    const writes = grants(dev, 'GetEvaluationStatus').filter((grant) => /dynamodb:(Put|Update|Delete|BatchWrite)/.test(grant));

    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query']));
    expect(writes.length).toBeGreaterThan(0);
    for (const grant of writes) expect(grant).toMatch(/ on DataRequestRates\.Arn$/);
    expect(actions).not.toContain('sqs:SendMessage');
  });

  test('Health may only read the work queue attributes', () => {
    const sqsActions = grantedActions(dev, 'Health').filter((action) => action.startsWith('sqs:'));

    expect(sqsActions).toEqual(['sqs:GetQueueAttributes']);
  });

  test.each(functionDefinitions)('$id: writes only where the manifest allows it', (definition) => {
    const actions = grantedActions(dev, definition.id);
    const writesTables = Object.values(definition.tables).some((access) => access !== 'read');
    const sendsMessages = Object.values(definition.queues).some((access) => access === 'send' || access === 'consumeAndSend');

    expect(actions.includes('dynamodb:PutItem')).toBe(writesTables);
    expect(actions.includes('sqs:SendMessage')).toBe(sendsMessages);
    expect(actions.includes('secretsmanager:DescribeSecret')).toBe(definition.secrets === 'describe');
    expect(actions.includes('secretsmanager:GetSecretValue')).toBe(definition.secrets === 'read');
    expect(actions.includes('sts:AssumeRole')).toBe(definition.secrets === 'read');
    expect(actions.filter((action) => action.endsWith(':*'))).toEqual([]);
  });
});

describe("tenant secrets: IAM keeps one tenant's model out of another tenant's secrets", () => {
  const readers = functionDefinitions.filter((definition) => definition.secrets === 'read');
  const readerRole = () => dev.stack.tenantSecretsReader!.role;
  const readerStatements = () => {
    const policies = dev.template.findResources('AWS::IAM::Policy', { Properties: { Roles: Match.arrayWith([{ Ref: logicalId(readerRole()) }]) } });
    return Object.values(policies).flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
  };

  test('the reader role may only read secrets under the prefix of the tenant its session is tagged with', () => {
    expect(readerStatements().map((statement) => ({ ...statement, Resource: renderResource(statement.Resource) }))).toEqual([
      {
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, resolved by IAM per session
        Resource: 'arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:arbiter/tenants/${aws:PrincipalTag/tenant}/*',
      },
    ]);
  });

  test('only the functions that read secrets may assume it, and only with exactly one session tag, tenant, set', () => {
    const role = dev.template.findResources('AWS::IAM::Role')[logicalId(readerRole())]!;

    expect(readers.length).toBeGreaterThan(0);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Policies).toBeUndefined();
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual(
      readers.map((definition) => ({
        Effect: 'Allow',
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Principal: { AWS: { 'Fn::GetAtt': [logicalId(dev.stack.functionFor(definition.id).role), 'Arn'] } },
        Condition: {
          StringLike: { 'aws:RequestTag/tenant': '?*' },
          'ForAllValues:StringEquals': { 'aws:TagKeys': ['tenant'] },
        },
      })),
    );
  });

  test('the evaluator holds no grant on any tenant secret nor on arbiter/*, and is told the reader role', () => {
    for (const definition of readers) {
      const secretResources = grants(dev, definition.id)
        .filter((grant) => grant.startsWith('secretsmanager:'))
        .map((grant) => grant.split(' on ')[1]!);
      expect(secretResources).toEqual(['arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:arbiter/deployment/*']);
      expect(environmentOf(dev, definition.id).ARBITER_TENANT_SECRETS_ROLE_ARN).toEqual({ 'Fn::GetAtt': [logicalId(readerRole()), 'Arn'] });
    }
    for (const definition of functionDefinitions.filter((candidate) => candidate.secrets !== 'read')) {
      expect(environmentOf(dev, definition.id).ARBITER_TENANT_SECRETS_ROLE_ARN).toBeUndefined();
    }
    const everyResource = functionDefinitions.flatMap((definition) => grants(dev, definition.id)).map((grant) => grant.split(' on ')[1]!);
    expect(everyResource.filter((resource) => resource.endsWith(':secret:arbiter/*'))).toEqual([]);
  });
});

/**
 * Whole events must never be logged: an API event carries the caller's Authorization header, an SQS event
 * a tenant's message. Powertools logs them when `POWERTOOLS_LOGGER_LOG_EVENT` is set, when a handler asks
 * (`logEventIfEnabled`, `injectLambdaContext({ logEvent: true })`), and debug levels or `POWERTOOLS_DEV`
 * widen what is written; none of it may reach a deployed function.
 */
const DEBUG_LEVELS = /^(debug|trace)$/i;

function loggingViolations(template: Template): string[] {
  const problems: string[] = [];
  for (const [id, fn] of Object.entries(template.findResources('AWS::Lambda::Function'))) {
    const variables = (fn.Properties.Environment?.Variables ?? {}) as Record<string, unknown>;
    for (const name of ['POWERTOOLS_LOGGER_LOG_EVENT', 'POWERTOOLS_DEV']) {
      if (name in variables) problems.push(`${id} sets ${name}`);
    }
    for (const name of ['LOG_LEVEL', 'POWERTOOLS_LOG_LEVEL', 'AWS_LAMBDA_LOG_LEVEL']) {
      if (DEBUG_LEVELS.test(String(variables[name] ?? ''))) problems.push(`${id} sets ${name}=${String(variables[name])}`);
    }
    const applicationLevel = fn.Properties.LoggingConfig?.ApplicationLogLevel;
    if (DEBUG_LEVELS.test(String(applicationLevel ?? ''))) problems.push(`${id} has LoggingConfig.ApplicationLogLevel ${String(applicationLevel)}`);
  }
  return problems;
}

/** Calls that make Powertools log the event a handler received, in any source of a shipped function. */
const EVENT_LOGGING = /logEventIfEnabled|logEvent\s*:(?!\s*false\b)|POWERTOOLS_LOGGER_LOG_EVENT/;

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|js|mjs)$/.test(entry.name) ? [path] : [];
  });
}

function eventLoggingCalls(files: { path: string; text: string }[]): string[] {
  return files.flatMap(({ path, text }) =>
    text
      .split('\n')
      .map((line, index) => ({ line, index }))
      .filter(({ line }) => EVENT_LOGGING.test(line))
      .map(({ line, index }) => `${path}:${index + 1}: ${line.trim()}`),
  );
}

describe('no function logs whole events', () => {
  test.each(['dev', 'prod'])('%s: no function sets a variable that logs events or debug output', (stage) => {
    expect(loggingViolations((stage === 'prod' ? prod : dev).template)).toEqual([]);
  });

  test(
    'the check sees such a variable when one is added',
    () => {
      const built = build('logs', {}, (stack) => {
        stack.functionFor('Evaluator').function.addEnvironment('POWERTOOLS_LOGGER_LOG_EVENT', 'true');
        stack.functionFor('ListModels').function.addEnvironment('POWERTOOLS_DEV', 'true');
        stack.functionFor('Health').function.addEnvironment('POWERTOOLS_LOG_LEVEL', 'debug');
      });

      const problems = loggingViolations(built.template);

      expect(problems.sort()).toEqual([
        expect.stringMatching(/^Evaluator.* sets POWERTOOLS_LOGGER_LOG_EVENT$/),
        expect.stringMatching(/^Health.* sets POWERTOOLS_LOG_LEVEL=debug$/),
        expect.stringMatching(/^ListModels.* sets POWERTOOLS_DEV$/),
      ]);
    },
    SYNTH_TIMEOUT_MS,
  );

  test.each(['DEBUG', 'trace'])('a stack asked for log level %s is refused at synth', (logLevel) => {
    expect(() => build(`level-${logLevel.toLowerCase()}`, { logLevel })).toThrow(/logLevel/);
  });

  test('no handler or shared module asks Powertools to log the event it received', () => {
    const files = ['functions', 'shared'].flatMap((directory) =>
      sourceFiles(join(REPOSITORY_ROOT, directory)).map((path) => ({ path: relative(REPOSITORY_ROOT, path), text: readFileSync(path, 'utf8') })),
    );

    expect(files.length).toBeGreaterThan(50);
    expect(eventLoggingCalls(files)).toEqual([]);
  });

  test('the source check sees each way of asking', () => {
    const asked = eventLoggingCalls([
      { path: 'a.ts', text: 'logger.logEventIfEnabled(event);' },
      { path: 'b.ts', text: '.use(injectLambdaContext(logger, { logEvent: true }))' },
      { path: 'c.ts', text: '.use(injectLambdaContext(logger, { resetKeys: true, logEvent: process.env.X === "1" }))' },
      { path: 'd.ts', text: "process.env.POWERTOOLS_LOGGER_LOG_EVENT = 'true';" },
      { path: 'e.ts', text: '.use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))' },
    ]);

    expect(asked.map((line) => line.split(':')[0])).toEqual(['a.ts', 'b.ts', 'c.ts', 'd.ts']);
  });
});

describe('HTTP API', () => {
  test.each(routes.map(({ definition, route }) => [`${route.method} ${route.path}`, definition.id, route.authorized]))(
    '%s routes to %s (authorized: %p)',
    (routeKey, id, authorized) => {
      const integrations = dev.template.findResources('AWS::ApiGatewayV2::Integration', {
        Properties: { IntegrationUri: { 'Fn::GetAtt': [logicalId(dev.stack.functionFor(id as string).function), 'Arn'] } },
      });
      expect(Object.keys(integrations)).toHaveLength(1);

      dev.template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: routeKey,
        AuthorizationType: authorized ? 'CUSTOM' : 'NONE',
        AuthorizerId: authorized ? Match.anyValue() : Match.absent(),
        Target: { 'Fn::Join': ['', ['integrations/', { Ref: Object.keys(integrations)[0] }]] },
      });
    },
  );

  test('there is no route beyond the manifest', () => {
    dev.template.resourceCountIs('AWS::ApiGatewayV2::Route', routes.length);
  });

  test('integrations send payload format 2.0', () => {
    dev.template.allResourcesProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
    });
  });

  test('the authorizer answers simple responses, keyed and cached on the Authorization header', () => {
    const authorizer = functionDefinitions.find((definition) => definition.kind === 'authorizer');

    dev.template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      IdentitySource: ['$request.header.Authorization'],
      AuthorizerResultTtlInSeconds: 300,
      AuthorizerUri: Match.objectLike({
        'Fn::Join': ['', Match.arrayWith([{ 'Fn::GetAtt': [logicalId(dev.stack.functionFor(authorizer?.id ?? '').function), 'Arn'] }])],
      }),
    });
  });

  test('the default stage writes JSON access logs', () => {
    const stages = dev.template.findResources('AWS::ApiGatewayV2::Stage', { Properties: { StageName: '$default' } });
    const [stage] = Object.values(stages);

    expect(stage?.Properties.AccessLogSettings.DestinationArn).toEqual({
      'Fn::GetAtt': [logicalId(dev.stack.httpApi.accessLogGroup), 'Arn'],
    });
    expect(JSON.parse(stage?.Properties.AccessLogSettings.Format)).toMatchObject({
      requestId: '$context.requestId',
      ip: '$context.identity.sourceIp',
      requestTime: '$context.requestTime',
      httpMethod: '$context.httpMethod',
      routeKey: '$context.routeKey',
      status: '$context.status',
      protocol: '$context.protocol',
      responseLength: '$context.responseLength',
      integrationError: '$context.integrationErrorMessage',
      authorizerError: '$context.authorizer.error',
    });
  });

  test('the default stage is throttled', () => {
    dev.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: DEFAULT_THROTTLE.rateLimit,
        ThrottlingBurstLimit: DEFAULT_THROTTLE.burstLimit,
      },
    });
  });
});

describe('alarms', () => {
  const deadLetterQueues = queues.filter(([name]) => queues.some(([, definition]) => definition.deadLetterQueue === name));
  const evaluators = functionDefinitions.filter((definition) => definition.kind === 'evaluator');

  test.each(deadLetterQueues)('%s: any visible message raises an alarm', (name) => {
    dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(dev.stack.dataStores.queues[name]), 'QueueName'] } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  test.each(evaluators)('$id: an error rate above the threshold (errors / invocations) raises an alarm', (definition) => {
    const lambdaMetric = (metricName: string) => ({
      Namespace: 'AWS/Lambda',
      MetricName: metricName,
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(dev.stack.functionFor(definition.id).function) } }],
    });

    dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: [
        Match.objectLike({ Expression: 'IF(invocations > 0, 100 * errors / invocations, 0)', ReturnData: true }),
        Match.objectLike({ Id: 'errors', MetricStat: Match.objectLike({ Metric: lambdaMetric('Errors'), Stat: 'Sum', Period: 300 }) }),
        Match.objectLike({ Id: 'invocations', MetricStat: Match.objectLike({ Metric: lambdaMetric('Invocations'), Stat: 'Sum', Period: 300 }) }),
      ],
      Threshold: EVALUATOR_ERROR_RATE_PERCENT,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
    });
  });

  test('a share of failed items above the threshold raises an alarm, on the metrics the evaluator publishes', () => {
    const arbiterMetric = (metricName: string) => ({
      Namespace: METRICS_NAMESPACE,
      MetricName: metricName,
      Dimensions: [
        { Name: 'service', Value: 'arbiter' },
        { Name: 'stage', Value: 'dev' },
      ],
    });

    dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: [
        Match.objectLike({ Expression: 'IF(evaluated > 0, 100 * failed / evaluated, 0)', ReturnData: true }),
        Match.objectLike({ Id: 'failed', MetricStat: Match.objectLike({ Metric: arbiterMetric('ItemsFailed'), Stat: 'Sum' }) }),
        Match.objectLike({ Id: 'evaluated', MetricStat: Match.objectLike({ Metric: arbiterMetric('ItemsEvaluated'), Stat: 'Sum' }) }),
      ],
      Threshold: ITEMS_FAILED_PERCENT,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  test.each(evaluators)('$id: a failed invocation raises an alarm', (definition) => {
    dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(dev.stack.functionFor(definition.id).function) } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });
});

describe('outputs', () => {
  test('the API URL ends in the API base path', () => {
    dev.template.hasOutput('ApiUrl', {
      Value: { 'Fn::Join': ['', Match.arrayWith(['/api/v3'])] },
    });
  });

  test('the stage, every table name and every queue URL are exported under consistent names', () => {
    const outputs = Object.keys(dev.template.findOutputs('*'));

    expect(outputs).toEqual(
      expect.arrayContaining([
        'ArbiterStage',
        ...tables.map(([, definition]) => `${definition.id}TableName`),
        ...queues.map(([, definition]) => `${definition.id}Url`),
      ]),
    );
    expect(outputs).toEqual(expect.arrayContaining(['EvaluationsTableName', 'WorkQueueUrl', 'WorkDeadLetterQueueUrl']));
  });
});

describe('driven by the manifest', () => {
  test(
    'a new manifest entry gets its function, route, grants and throttle with no change in infra/',
    () => {
      const listModels: FunctionDefinition = {
        id: 'ListModelVersions',
        kind: 'api',
        entry: 'functions/api/list-models.ts',
        description: 'Lists the versions of a model',
        routes: [{ method: 'GET', path: '/api/v3/models/{model_id}/versions', authorized: true }],
        tables: { models: 'read' },
        queues: {},
      };

      const built = build('extra', {
        functions: [...functionDefinitions, listModels],
        throttle: { rateLimit: 5, burstLimit: 10 },
      });

      built.template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: 'GET /api/v3/models/{model_id}/versions',
        AuthorizationType: 'CUSTOM',
      });
      built.template.hasResourceProperties('AWS::Lambda::Function', {
        Description: listModels.description,
        Environment: { Variables: Match.objectLike({ MODELS_TABLE: Match.anyValue() }) },
      });
      built.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        DefaultRouteSettings: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 },
      });
      expect(grantedActions(built, 'ListModelVersions')).not.toContain('dynamodb:PutItem');
    },
    SYNTH_TIMEOUT_MS,
  );
});

describe('cdk-nag AwsSolutions and Serverless', () => {
  const packNames = nagPacks().map((pack) => pack.readPackName);

  test('synth applies both packs', () => {
    expect(packNames).toEqual(['AwsSolutions', 'Serverless']);
  });

  test.each(['dev', 'prod'].flatMap((stage) => packNames.map((pack) => [stage, pack])))(
    '%s, %s: no finding is left unacknowledged',
    (stage, packName) => {
      const { app } = stage === 'prod' ? prod : dev;
      const pack = nagPacks().find((candidate) => candidate.readPackName === packName)!;

      const report = pack.validateScope(app);

      const findings = report.violations.map(
        (violation) => `${violation.ruleName}: ${violation.violatingResources.map((resource) => resource.constructPath).join(', ')}`,
      );
      expect(findings).toEqual([]);
    },
    SYNTH_TIMEOUT_MS,
  );

  test(
    'an environment-bound stack (account and region known, as `cdk deploy` makes it) has no unacknowledged finding',
    () => {
      const { app } = build('bound', { env: { account: '123456789012', region: 'eu-west-1' } });

      const findings = nagPacks().flatMap((pack) => pack.validateScope(app).violations.map((violation) => violation.ruleName));

      expect(findings).toEqual([]);
    },
    SYNTH_TIMEOUT_MS,
  );

  test('only the Serverless findings that have no fix are acknowledged (tracing, log retention, throttling, JSON access logs are fixed)', () => {
    const acknowledged = new Set<string>();
    for (const construct of dev.app.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        // Keys look like `<plugin>:<rule id>`; only the rule id matters here.
        for (const id of Object.keys(entry.data as object)) acknowledged.add(id.slice(id.indexOf('Serverless-')).replace(/\[.*$/, ''));
      }
    }

    expect([...acknowledged].filter((id) => id.startsWith('Serverless-')).sort()).toEqual([
      'Serverless-EventBusDLQ',
      'Serverless-LambdaDLQ',
      'Serverless-LambdaEventSourceMappingDestination',
      'Serverless-LambdaLatestVersion',
      'Serverless-SQSRedrivePolicy',
    ]);
  });

  test('every acknowledgement states a specific reason', () => {
    const acknowledgements: { path: string; id: string; reason: string }[] = [];
    for (const construct of dev.app.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
          acknowledgements.push({ path: construct.node.path, id, reason });
        }
      }
    }

    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const acknowledgement of acknowledgements) {
      expect(acknowledgement.reason.length).toBeGreaterThan(60);
    }
  });

  test('only routes the manifest marks public are acknowledged as unauthorized', () => {
    const publicRoutes = routes.filter(({ route }) => !route.authorized).length;
    const acknowledged = dev.app.node
      .findAll()
      .filter((construct) =>
        construct.node.metadata.some(
          (entry) =>
            entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY &&
            Object.keys(entry.data as object).some((id) => id.endsWith('AwsSolutions-APIG4')),
        ),
      );

    expect(acknowledged).toHaveLength(publicRoutes);
  });
});
