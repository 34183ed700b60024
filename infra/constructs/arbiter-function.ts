/**
 * The one way Arbiter defines a Lambda function: runtime, architecture, bundling, logging, tracing and
 * limits are fixed here, so the stack only says which code runs and what it may touch.
 */
import { ArnFormat, type Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { QueueAccess, TableAccess } from '#shared/contracts/function-manifest.js';
import type { QueueDefinition, TableDefinition } from '#shared/contracts/resources.js';
import { DEPLOYMENT_SECRETS_PREFIX, TENANT_SECRETS_ROOT } from '#shared/contracts/models/credential-names.js';
import { INDEX_READ_ACTIONS, queueActions, tableActions, WILDCARD_EXCEPTIONS } from '../least-privilege.js';

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
 * account or region is known at synth, `<AWS::Region>`-style placeholders where they are tokens, and an
 * IAM policy variable such as `${aws:PrincipalTag/tenant}` as `<aws:PrincipalTag/tenant>`.
 */
export function nagResource(scope: Construct, arn: string): string {
  const resolved = Stack.of(scope).resolve(arn) as unknown;
  const policyVariables = (text: string) => text.replace(/\$\{([^}]+)\}/g, '<$1>');
  if (typeof resolved === 'string') return policyVariables(resolved);
  const parts = (resolved as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  return parts.map((part) => (typeof part === 'string' ? policyVariables(part) : `<${(part as { Ref: string }).Ref}>`)).join('');
}

/** The documented reason for a wildcard resource; a grant without one is a mistake caught at synth. */
export function wildcardReason(resource: string): string {
  const exception = WILDCARD_EXCEPTIONS.find((candidate) => candidate.resource === resource);
  if (!exception) throw new Error(`No documented wildcard exception for ${resource} in infra/least-privilege.ts`);
  return exception.reason;
}

/** The ARN of the secrets named `resourceName` (a pattern), in this stack's account and region. */
export function secretArn(scope: Construct, resourceName: string): string {
  return Stack.of(scope).formatArn({ service: 'secretsmanager', resource: 'secret', resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}

/** The same ARN as WILDCARD_EXCEPTIONS writes it, with `<…>` for the partition, region and account. */
export const documentedSecretArn = (resourceName: string) => `arn:<partition>:secretsmanager:<region>:<account>:secret:${resourceName}`;

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

    const pinnedRuntime =
      'Node.js 22 is pinned on purpose (see the runtime above): the bundles are built for the node22 ' +
      'target, and moving to a newer runtime is a deliberate, tested change of target, runtime and CI ' +
      'together, not a side effect of a CDK upgrade.';
    Validations.of(this.function).acknowledge({ id: 'AwsSolutions-L1', reason: pinnedRuntime });
    Validations.of(this.function).acknowledge({ id: 'Serverless-LambdaLatestVersion', reason: pinnedRuntime });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: `${wildcardReason('*')} CDK adds exactly xray:PutTraceSegments and xray:PutTelemetryRecords on it.`,
    });
  }

  /**
   * Gives the function the table's name in the definition's variable and the least access `access` needs:
   * the actions of `least-privilege.ts` on the table, and Query on each of its indexes by name.
   */
  bindTable(table: ITableV2, definition: TableDefinition, access: TableAccess): void {
    this.function.addEnvironment(definition.envVar, table.tableName);
    this.role.addToPrincipalPolicy(new PolicyStatement({ actions: tableActions(access), resources: [table.tableArn] }));
    if (access !== 'write' && definition.globalSecondaryIndexes.length > 0) {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: [...INDEX_READ_ACTIONS],
          resources: definition.globalSecondaryIndexes.map((index) => `${table.tableArn}/index/${index.indexName}`),
        }),
      );
    }
  }

  /**
   * Gives the function the queue's URL in the definition's variable and the least access `access` needs.
   * A consumer's event source mapping is added by the caller; its poller acts with these permissions.
   */
  bindQueue(queue: IQueue, definition: QueueDefinition, access: QueueAccess): void {
    this.function.addEnvironment(definition.envVar, queue.queueUrl);
    queue.grant(this.role, ...queueActions(access));
  }

  /**
   * Provider keys in Secrets Manager. `describe`: the API functions that check, at registration and at
   * creation, that a tenant's secret exists, on `arbiter/tenants/*` (their code names only the caller's own
   * prefix). `read`: the evaluator reads the deployment's keys, `arbiter/deployment/*`, as itself; a
   * tenant's keys it reads only through the tenant-tagged session of TenantSecretsReader, never as itself.
   */
  grantProviderSecrets(access: 'describe' | 'read'): void {
    const pattern = `${access === 'read' ? DEPLOYMENT_SECRETS_PREFIX : TENANT_SECRETS_ROOT}*`;
    const secretsArn = secretArn(this, pattern);
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: access === 'read' ? ['secretsmanager:GetSecretValue'] : ['secretsmanager:DescribeSecret'],
        resources: [secretsArn],
      }),
    );
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResource(this, secretsArn)}]`,
      reason: wildcardReason(documentedSecretArn(pattern)),
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
      reason: wildcardReason('arn:<partition>:bedrock:*::foundation-model/*'),
    });
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResource(this, inferenceProfiles)}]`,
      reason: wildcardReason('arn:<partition>:bedrock:<region>:<account>:inference-profile/*'),
    });
  }

  /** Adds a variable that names a resource the function does not access itself (e.g. for log context). */
  addEnvironment(name: string, value: string): void {
    this.function.addEnvironment(name, value);
  }
}
