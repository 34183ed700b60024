/**
 * The one way Arbiter defines a Lambda function: runtime, architecture, bundling, logging, tracing and
 * limits are fixed here, so the stack only says which code runs and what it may touch.
 */
import { ArnFormat, Duration, RemovalPolicy, Stack, Validations, type CfnResource } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { QueueAccess, TableAccess } from '#functions/manifest.js';
import type { QueueDefinition, TableDefinition } from '#shared/resources.js';

/** Handlers are ESM; esbuild's ESM output has no `require`, which some bundled CommonJS dependencies call. */
const ESM_REQUIRE_BANNER = "import { createRequire } from 'module';const require = createRequire(import.meta.url);";

export interface ArbiterFunctionProps {
  /** Absolute path of the handler module (it exports `handler`). */
  entry: string;
  /** Directory holding package.json and package-lock.json; esbuild resolves `#shared/*` from there. */
  projectRoot: string;
  description: string;
  memorySizeMb: number;
  timeout: Duration;
  logLevel: string;
  /** Removal policy of the function's log group. */
  removalPolicy: RemovalPolicy;
  /** Extra variables; merged over the defaults, never instead of them. */
  environment?: Record<string, string>;
}

/**
 * The resource part of a cdk-nag IAM5 finding for `arn`, as cdk-nag spells it: literal where the stack's
 * account or region is known at synth, `<AWS::Region>`-style placeholders where they are tokens.
 */
function nagResource(scope: Construct, arn: string): string {
  const resolved = Stack.of(scope).resolve(arn) as unknown;
  if (typeof resolved === 'string') return resolved;
  const parts = (resolved as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  return parts.map((part) => (typeof part === 'string' ? part : `<${(part as { Ref: string }).Ref}>`)).join('');
}

export class ArbiterFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: ArbiterFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy,
    });

    // An explicit role instead of the default one, which attaches the AWSLambdaBasicExecutionRole managed
    // policy (logs:* on every log group of the account): this role may only write to its own log group.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.description}`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: `${props.projectRoot}/package-lock.json`,
      description: props.description,
      // Pinned rather than NODEJS_LATEST: the runtime, the bundle's esbuild target and the Node version CI
      // tests with must move together, in one deliberate change.
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySizeMb,
      timeout: props.timeout,
      tracing: Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'arbiter',
        POWERTOOLS_METRICS_NAMESPACE: 'Arbiter',
        LOG_LEVEL: props.logLevel,
        ...props.environment,
      },
      bundling: {
        minify: true,
        sourceMap: true,
        format: OutputFormat.ESM,
        target: 'node22',
        // Prefer packages' ESM builds (middy is ESM-only; others tree-shake better as ESM).
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        // Bundle the AWS SDK v3 too: the function then runs the SDK version package-lock.json pins and the
        // tests ran against, not whatever the Lambda runtime ships this month.
        externalModules: [],
        forceDockerBundling: false,
      },
    });

    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is pinned on purpose (see the runtime above): the bundles are built for the node22 ' +
        'target, and moving to a newer runtime is a deliberate, tested change of target, runtime and CI ' +
        'together, not a side effect of a CDK upgrade.',
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active X-Ray tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no ' +
        'resource-level permissions; CDK adds exactly these two actions on "*".',
    });
  }

  /** Gives the function the table's name in the definition's variable and the least access `access` needs. */
  bindTable(table: ITableV2, definition: TableDefinition, access: TableAccess): void {
    this.function.addEnvironment(definition.envVar, table.tableName);
    switch (access) {
      case 'read':
        table.grantReadData(this.role);
        break;
      case 'write':
        table.grantWriteData(this.role);
        break;
      case 'readWrite':
        table.grantReadWriteData(this.role);
        break;
    }
    if (definition.globalSecondaryIndexes.length > 0) {
      const cfnTable = table.node.defaultChild as CfnResource;
      const logicalId = Stack.of(this).resolve(cfnTable.logicalId) as string;
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/index/*]`,
        reason:
          `The grant covers the indexes of table ${table.node.id} (${access}); "index/*" names only this ` +
          "table's own secondary indexes, which its queries need.",
      });
    }
  }

  /**
   * Gives the function the queue's URL in the definition's variable and the least access `access` needs.
   * `consume` is completed by the caller's event source, which grants receive/delete itself.
   */
  bindQueue(queue: IQueue, definition: QueueDefinition, access: QueueAccess): void {
    this.function.addEnvironment(definition.envVar, queue.queueUrl);
    switch (access) {
      case 'send':
        queue.grantSendMessages(this.role);
        break;
      case 'read':
        queue.grant(this.role, 'sqs:GetQueueAttributes');
        break;
      case 'consume':
      case 'consumeAndSend':
        break;
    }
  }

  /**
   * Lets the function check (`describe`) or read provider API keys kept in Secrets Manager. Only secrets
   * under `arbiter/` qualify: model registration refuses any other name, so the wildcard stays narrow.
   */
  grantProviderSecrets(access: 'describe' | 'read'): void {
    const secretsArn = Stack.of(this).formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: 'arbiter/*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: access === 'read' ? ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'] : ['secretsmanager:DescribeSecret'],
        resources: [secretsArn],
      }),
    );
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResource(this, secretsArn)}]`,
      reason:
        'Provider keys are tenant-named secrets created after deployment; the policy is limited to the arbiter/ ' +
        'prefix, which is the only prefix model registration accepts.',
    });
  }

  /**
   * Lets the function call Bedrock models (Converse is authorised as bedrock:InvokeModel). Which models a
   * tenant evaluates is data, not deployment, so the grant covers foundation models and inference profiles.
   */
  grantBedrockInvoke(): void {
    const stack = Stack.of(this);
    const foundationModels = `arn:${stack.partition}:bedrock:*::foundation-model/*`;
    const inferenceProfiles = stack.formatArn({ service: 'bedrock', resource: 'inference-profile', resourceName: '*' });
    this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['bedrock:InvokeModel'], resources: [foundationModels, inferenceProfiles] }));
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResource(this, foundationModels)}]`,
      reason: 'Tenants choose models at run time; cross-region inference profiles route to foundation models in several regions.',
    });
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResource(this, inferenceProfiles)}]`,
      reason: 'Tenants choose inference profiles at run time; the grant is limited to this account and region.',
    });
  }

  /** Adds a variable that names a resource the function does not access itself (e.g. for log context). */
  addEnvironment(name: string, value: string): void {
    this.function.addEnvironment(name, value);
  }
}
