/**
 * Arbiter on AWS: everything is derived from `shared/contracts/function-manifest.ts` (functions, routes, grants) and
 * `shared/contracts/resources.ts` (tables, queues, evaluator limits), so a new route, function or table needs no
 * change here.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { Construct } from 'constructs';
import { functionDefinitions, type FunctionDefinition } from '#shared/contracts/function-manifest.js';
import { evaluatorSettings, queueDefinitions, tableDefinitions, type QueueDefinition, type QueueName } from '#shared/contracts/resources.js';
import { DEFAULT_CACHE_TTL_SECONDS } from '#shared/platform/config.js';
import { DEFAULT_JUDGE_MODEL_ID } from '#shared/contracts/models/builtin-defaults.js';
import { METRICS_NAMESPACE, MetricName, metricDimensions } from '#shared/platform/metric-names.js';
import { DEFAULT_THROTTLE, isPersistentStage, type ThrottleSettings } from './config.js';
import { ArbiterFunction } from './constructs/arbiter-function.js';
import { ArbiterHttpApi } from './constructs/arbiter-http-api.js';
import { DataStores } from './constructs/data-stores.js';
import { TenantSecretsReader } from './constructs/tenant-secrets-reader.js';

/** The repository root: entries in the manifest are relative to it. */
export const REPOSITORY_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** API and authorizer functions answer a person waiting on an HTTP request. */
const API_FUNCTION_LIMITS = { memorySizeMb: 256, timeout: Duration.seconds(10) };
const EVALUATOR_LIMITS = {
  memorySizeMb: evaluatorSettings.memorySizeMb,
  timeout: Duration.seconds(evaluatorSettings.timeoutSeconds),
};

/**
 * The log levels a deployment may run at. DEBUG and TRACE are refused: they widen what handlers log, and
 * nothing that could put a whole event (an Authorization header, a tenant's message) in the logs may be
 * one context value away (test/infra/arbiter-stack.test.ts, "no function logs whole events").
 */
export const DEPLOYABLE_LOG_LEVELS = ['INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;

/** Alarm thresholds, in percent of the period's invocations or items. */
export const EVALUATOR_ERROR_RATE_PERCENT = 5;
export const ITEMS_FAILED_PERCENT = 20;

/**
 * Why no function has a Lambda dead-letter queue (cdk-nag Serverless-LambdaDLQ): that queue only catches
 * failed *asynchronous* invocations, and where each kind's failures go instead.
 */
const INVOCATION_FAILURES: Record<FunctionDefinition['kind'], string> = {
  api:
    'API Gateway invokes route handlers synchronously: a failure is answered to the waiting client as a 5xx ' +
    'and logged; there is no asynchronous invocation for a Lambda dead-letter queue to catch.',
  authorizer:
    'API Gateway invokes the authorizer synchronously for each uncached request; a failure fails that request ' +
    'and is logged; there is no asynchronous invocation for a Lambda dead-letter queue to catch.',
  evaluator:
    'The SQS event source mapping invokes it synchronously; a failed record returns to its queue and, after ' +
    'maxReceiveCount receives, moves to the dead-letter queue by the redrive policy, which is the DLQ that matters.',
  scheduled:
    'EventBridge invokes it asynchronously with a scheduled event that holds no work to replay: the next ' +
    "scheduled run repeats the same scan, and a failed run raises the function's Errors alarm.",
};

/** `Object.entries` that keeps the key type of a record whose keys are known. */
function entriesOf<K extends string, V>(record: Partial<Record<K, V>>): [K, V][] {
  return Object.entries(record) as [K, V][];
}

export interface ArbiterStackProps extends StackProps {
  stage: string;
  throttle?: ThrottleSettings;
  logLevel?: string;
  /** Judge of judged metrics that name none; defaults to DEFAULT_JUDGE_MODEL_ID. */
  defaultJudgeModel?: string;
  /** Hosts and CIDRs model calls may reach beyond public addresses; none by default. */
  egressAllow?: readonly string[];
  /** How long response-cache entries are answered from (ARBITER_CACHE_TTL_SECONDS); the service's default (7 days) when absent. */
  cacheTtlSeconds?: number;
  /** Where the manifest's entry paths resolve; tests point it at stub handlers. */
  projectRoot?: string;
  /** Defaults to the manifest; tests may pass their own list. */
  functions?: readonly FunctionDefinition[];
}

export class ArbiterStack extends Stack {
  readonly functions: Record<string, ArbiterFunction> = {};
  readonly dataStores: DataStores;
  readonly httpApi: ArbiterHttpApi;
  /** The role tenant secrets are read through; absent when no function reads secrets. */
  readonly tenantSecretsReader?: TenantSecretsReader;

  constructor(scope: Construct, id: string, props: ArbiterStackProps) {
    super(scope, id, {
      description: `Arbiter model evaluation service (${props.stage})`,
      ...props,
    });
    const persistent = isPersistentStage(props.stage);
    // Only a persistent stage keeps its data when the stack is deleted; dev and preview stages clean up
    // after themselves, which is what one wants from `cdk destroy` there.
    const removalPolicy = persistent ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const projectRoot = props.projectRoot ?? REPOSITORY_ROOT;
    const definitions = props.functions ?? functionDefinitions;
    const logLevel = props.logLevel ?? 'INFO';
    if (!(DEPLOYABLE_LOG_LEVELS as readonly string[]).includes(logLevel.toUpperCase())) {
      throw new Error(
        `logLevel must be one of ${DEPLOYABLE_LOG_LEVELS.join(', ')} (DEBUG and TRACE may log what handlers receive), got ${JSON.stringify(logLevel)}`,
      );
    }

    this.dataStores = new DataStores(this, 'Data', { removalPolicy, deletionProtection: persistent });
    const { tables, queues } = this.dataStores;

    for (const definition of definitions) {
      const limits = definition.kind === 'evaluator' ? EVALUATOR_LIMITS : API_FUNCTION_LIMITS;
      const fn = new ArbiterFunction(this, definition.id, {
        entry: join(projectRoot, definition.entry),
        projectRoot,
        description: definition.description,
        ...limits,
        logLevel,
        removalPolicy,
        environment: {
          ARBITER_STAGE: props.stage,
          // Every function that registers or calls a model reads the same policy; the cloud one allows only
          // public addresses over https, plus what the operator listed.
          ARBITER_EGRESS_POLICY: 'cloud',
          ...(props.egressAllow?.length ? { ARBITER_EGRESS_ALLOW: props.egressAllow.join(',') } : {}),
          ...(definition.judgeDefault ? { ARBITER_DEFAULT_JUDGE_MODEL: props.defaultJudgeModel ?? DEFAULT_JUDGE_MODEL_ID } : {}),
          // Entries expire through the evaluations table's TTL attribute; the evaluator stamps each with this.
          ...(definition.kind === 'evaluator' ? { ARBITER_CACHE_TTL_SECONDS: String(props.cacheTtlSeconds ?? DEFAULT_CACHE_TTL_SECONDS) } : {}),
        },
      });
      this.functions[definition.id] = fn;

      for (const [name, access] of entriesOf(definition.tables)) {
        fn.bindTable(tables[name], tableDefinitions[name], access);
      }
      if (definition.secrets) fn.grantProviderSecrets(definition.secrets);
      if (definition.invokesBedrock) fn.grantBedrockInvoke();
      if (definition.kind === 'scheduled') {
        const minutes = definition.scheduleMinutes ?? 5;
        const rule = new Rule(this, `${definition.id}Schedule`, {
          description: `Runs ${definition.id}: ${definition.description}`,
          schedule: Schedule.rate(Duration.minutes(minutes)),
          targets: [new LambdaFunction(fn.function, { retryAttempts: 2 })],
        });
        Validations.of(rule).acknowledge({
          id: 'Serverless-EventBusDLQ',
          reason:
            `A scheduled event carries nothing to replay: the run ${minutes} minutes later does the same scan, so an ` +
            `event that EventBridge could not deliver loses no work; a failed run raises the ${definition.id}Errors alarm.`,
        });
      }
      for (const [name, access] of entriesOf(definition.queues)) {
        const queue = queues[name];
        const queueDefinition: QueueDefinition = queueDefinitions[name];
        fn.bindQueue(queue, queueDefinition, access);
        if (access !== 'consume' && access !== 'consumeAndSend') continue;

        // A mapping rather than the CDK's SqsEventSource, which would also grant GetQueueUrl and
        // ChangeMessageVisibility; bindQueue granted what the poller calls.
        const mapping = fn.function.addEventSourceMapping(`${queueDefinition.id}Source`, {
          eventSourceArn: queue.queueArn,
          batchSize: evaluatorSettings.batchSize,
          // Failed records go back to the queue one by one instead of failing the whole batch.
          reportBatchItemFailures: true,
          // Caps concurrent invocations, and with them the load on model providers; without it Lambda
          // scales the poller up to 1,250 concurrent invocations.
          maxConcurrency: evaluatorSettings.maxConcurrency,
        });
        Validations.of(mapping).acknowledge({
          id: 'Serverless-LambdaEventSourceMappingDestination',
          reason: queueDefinition.deadLetterQueue
            ? `Lambda supports on-failure destinations only for stream and Kafka sources; for SQS the failure destination is ${queueDefinition.id}'s redrive policy, which moves a message to ${queueDefinitions[queueDefinition.deadLetterQueue as QueueName].id} after ${queueDefinition.maxReceiveCount} receives.`
            : `This mapping consumes ${queueDefinition.id}, itself the end of the redrive chain (and Lambda supports no on-failure destination for SQS): a message its handler cannot process stays there, raising the ${queueDefinition.id}NotEmpty alarm, until an operator looks or its retention ends.`,
        });
        // A consumer is told its queue's dead-letter queue URL; access to it comes only from the function's
        // own manifest entry (the redrive policy moves messages there without the function).
        const deadLetterName = queueDefinition.deadLetterQueue as QueueName | undefined;
        if (deadLetterName) {
          fn.addEnvironment(queueDefinitions[deadLetterName].envVar, queues[deadLetterName].queueUrl);
        }
      }
      Validations.of(fn.function).acknowledge({ id: 'Serverless-LambdaDLQ', reason: INVOCATION_FAILURES[definition.kind] });
    }

    const secretReaders = definitions.filter((definition) => definition.secrets === 'read').map((definition) => this.functionFor(definition.id));
    if (secretReaders.length > 0) this.tenantSecretsReader = new TenantSecretsReader(this, 'TenantSecretsReader', { readers: secretReaders });

    const authorizers = definitions.filter((definition) => definition.kind === 'authorizer');
    const authorizer = authorizers[0];
    if (authorizers.length !== 1 || !authorizer) {
      throw new Error(`shared/contracts/function-manifest.ts must define exactly one function of kind "authorizer", found ${authorizers.length}`);
    }
    this.httpApi = new ArbiterHttpApi(this, 'Http', {
      stage: props.stage,
      authorizerFunction: this.functionFor(authorizer.id).function,
      targets: definitions
        .filter((definition) => definition.kind === 'api')
        .map((definition) => ({
          id: definition.id,
          function: this.functionFor(definition.id).function,
          routes: definition.routes,
        })),
      throttle: props.throttle ?? DEFAULT_THROTTLE,
      removalPolicy,
    });

    this.addAlarms(definitions, props.stage);
    this.addOutputs(props.stage);
  }

  functionFor(id: string): ArbiterFunction {
    const fn = this.functions[id];
    if (!fn) throw new Error(`No function "${id}" in this stack`);
    return fn;
  }

  private addAlarms(definitions: readonly FunctionDefinition[], stage: string): void {
    // A message in a dead-letter queue is an evaluation chunk that failed every retry: a person should look.
    for (const name of DataStores.deadLetterQueueNames()) {
      const definition = queueDefinitions[name];
      new Alarm(this, `${definition.id}NotEmpty`, {
        alarmDescription: `Messages are waiting in ${definition.id}: work that failed every retry.`,
        metric: this.dataStores.queues[name].metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    }
    const period = Duration.minutes(5);
    // A few failed invocations are expected (a provider timing out a whole batch is retried); a sustained
    // share of them is not. Errors counts invocations that crashed or timed out, not batch item failures.
    for (const definition of definitions.filter((candidate) => candidate.kind === 'evaluator')) {
      const fn = this.functionFor(definition.id).function;
      new Alarm(this, `${definition.id}ErrorRate`, {
        alarmDescription: `More than ${EVALUATOR_ERROR_RATE_PERCENT}% of ${definition.id} invocations failed in 2 of the last 3 five-minute periods.`,
        metric: new MathExpression({
          expression: 'IF(invocations > 0, 100 * errors / invocations, 0)',
          usingMetrics: {
            errors: fn.metricErrors({ period, statistic: 'Sum' }),
            invocations: fn.metricInvocations({ period, statistic: 'Sum' }),
          },
          label: `${definition.id} error rate (%)`,
          period,
        }),
        threshold: EVALUATOR_ERROR_RATE_PERCENT,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    }
    // Items whose model calls kept failing: a provider down, throttling beyond the retries, a bad key.
    const itemsMetric = (metricName: string) =>
      new Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: metricDimensions(stage), period, statistic: 'Sum' });
    new Alarm(this, 'ItemsFailedRatio', {
      alarmDescription: `More than ${ITEMS_FAILED_PERCENT}% of evaluated items failed in 2 of the last 3 five-minute periods (see results?failed=true).`,
      metric: new MathExpression({
        expression: 'IF(evaluated > 0, 100 * failed / evaluated, 0)',
        usingMetrics: { failed: itemsMetric(MetricName.ItemsFailed), evaluated: itemsMetric(MetricName.ItemsEvaluated) },
        label: 'Items failed (%)',
        period,
      }),
      threshold: ITEMS_FAILED_PERCENT,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    // Item-level failures are reported as batch item failures and do not count here; an Errors datapoint
    // is an invocation that crashed or timed out.
    for (const definition of definitions.filter((candidate) => candidate.kind === 'evaluator' || candidate.kind === 'scheduled')) {
      new Alarm(this, `${definition.id}Errors`, {
        alarmDescription: `${definition.id} invocations failed (crash or timeout).`,
        metric: this.functionFor(definition.id).function.metricErrors({
          period: Duration.minutes(5),
          statistic: 'Sum',
        }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    }
  }

  private addOutputs(stage: string): void {
    new CfnOutput(this, 'ArbiterStage', { value: stage, description: 'Deployment stage' });
    new CfnOutput(this, 'ApiUrl', {
      value: `${this.httpApi.url}api/v3`,
      description: 'Base URL of the Arbiter API',
    });
    for (const [name, table] of entriesOf(this.dataStores.tables)) {
      const definition = tableDefinitions[name];
      new CfnOutput(this, `${definition.id}TableName`, {
        value: table.tableName,
        description: `Table behind ${definition.envVar}`,
      });
    }
    for (const [name, queue] of entriesOf(this.dataStores.queues)) {
      const definition = queueDefinitions[name];
      new CfnOutput(this, `${definition.id}Url`, {
        value: queue.queueUrl,
        description: `Queue behind ${definition.envVar}`,
      });
    }
  }
}
