/**
 * The stack, checked one resource concern at a time against the same definitions it is built from
 * (`functions/manifest.ts`, `shared/resources.ts`), plus cdk-nag's AwsSolutions pack as a policy test.
 *
 * The stacks are built without bundling (`aws:cdk:bundling-stacks: []`) and from stub handlers in a
 * temporary directory: these tests are about the infrastructure, not the handlers' code, and they must
 * not depend on every handler in the manifest being written yet. `npm run synth` bundles the real ones.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { App, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { functionDefinitions, type FunctionDefinition } from '#functions/manifest.js';
import {
  evaluatorSettings,
  queueDefinitions,
  tableDefinitions,
  type QueueDefinition,
  type QueueName,
  type TableDefinition,
} from '#shared/resources.js';
import { ArbiterStack, REPOSITORY_ROOT } from '../../infra/arbiter-stack.js';
import { DEFAULT_THROTTLE, parseStage, readDeploymentConfig } from '../../infra/config.js';

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

function build(stage: string, props: Partial<ConstructorParameters<typeof ArbiterStack>[2]> = {}): Built {
  writeStubHandlers(props.functions ?? functionDefinitions);
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new ArbiterStack(app, `Arbiter-${stage}`, { stage, projectRoot: stubRoot, ...props });
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

    expect(config).toEqual({ stage: 'pr-42', throttle: { rateLimit: 50, burstLimit: 80 }, defaultJudgeModel: 'anthropic.claude-3-haiku-20240307-v1:0' });
  });

  test('the default judge model is read from context, and a malformed one is refused', () => {
    expect(readDeploymentConfig(new App({ context: { stage: 'dev', defaultJudgeModel: 'gpt-4o-mini' } }).node).defaultJudgeModel).toBe('gpt-4o-mini');
    expect(() => readDeploymentConfig(new App({ context: { stage: 'dev', defaultJudgeModel: 'not a model' } }).node)).toThrow(/defaultJudgeModel/);
  });

  test('CreateEvaluation and the evaluator are told the default judge; other functions are not', () => {
    const built = build('judge', { defaultJudgeModel: 'gpt-4o-mini' });
    const environment = (id: string) =>
      (built.stack.resolve((built.stack.functions[id]!.function.node.defaultChild as CfnElement & { environment?: unknown }).environment) as { variables?: Record<string, unknown> } | undefined)?.variables ?? {};
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

  test.each(functionDefinitions.map((definition) => [definition.id, definition.entry]))(
    'the handler of %s exists at %s',
    (_id, entry) => {
      expect(existsSync(join(REPOSITORY_ROOT, entry))).toBe(true);
    },
  );
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
      TimeToLiveSpecification: definition.timeToLiveAttribute
        ? { AttributeName: definition.timeToLiveAttribute, Enabled: true }
        : Match.absent(),
    });
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

  test('GetEvaluationStatus can read but neither write an item nor send a message', () => {
    const actions = grantedActions(dev, 'GetEvaluationStatus');

    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query']));
    expect(actions).not.toContain('dynamodb:PutItem');
    expect(actions).not.toContain('dynamodb:UpdateItem');
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
    expect(actions.includes('secretsmanager:DescribeSecret')).toBe(definition.secrets !== undefined);
    expect(actions.includes('secretsmanager:GetSecretValue')).toBe(definition.secrets === 'read');
    expect(actions.filter((action) => action.endsWith(':*'))).toEqual([]);
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
  test('a new manifest entry gets its function, route, grants and throttle with no change in infra/', () => {
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
  }, SYNTH_TIMEOUT_MS);
});

describe('cdk-nag AwsSolutions', () => {
  test.each(['dev', 'prod'])('%s: no finding is left unacknowledged', (stage) => {
    const { app } = stage === 'prod' ? prod : dev;

    const report = new AwsSolutionsChecks().validateScope(app);

    const findings = report.violations.map(
      (violation) => `${violation.ruleName}: ${violation.violatingResources.map((resource) => resource.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
  }, SYNTH_TIMEOUT_MS);

  test('an environment-bound stack (account and region known, as `cdk deploy` makes it) has no unacknowledged finding', () => {
    const { app } = build('bound', { env: { account: '123456789012', region: 'eu-west-1' } });

    const report = new AwsSolutionsChecks().validateScope(app);

    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
  }, SYNTH_TIMEOUT_MS);

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
