/**
 * Arbiter on AWS: everything is derived from `functions/manifest.ts` (functions, routes, grants) and
 * `shared/resources.ts` (tables, queues, evaluator limits), so a new route, function or table needs no
 * change here.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Construct } from 'constructs';
import { functionDefinitions, type FunctionDefinition } from '#functions/manifest.js';
import {
  evaluatorSettings,
  queueDefinitions,
  tableDefinitions,
  type QueueDefinition,
  type QueueName,
} from '#shared/resources.js';
import { DEFAULT_JUDGE_MODEL_ID } from '#shared/models/catalogue.js';
import { DEFAULT_THROTTLE, isPersistentStage, type ThrottleSettings } from './config.js';
import { ArbiterFunction } from './constructs/arbiter-function.js';
import { ArbiterHttpApi } from './constructs/arbiter-http-api.js';
import { DataStores } from './constructs/data-stores.js';

/** The repository root: entries in the manifest are relative to it. */
export const REPOSITORY_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** API and authorizer functions answer a person waiting on an HTTP request. */
const API_FUNCTION_LIMITS = { memorySizeMb: 256, timeout: Duration.seconds(10) };
const EVALUATOR_LIMITS = {
  memorySizeMb: evaluatorSettings.memorySizeMb,
  timeout: Duration.seconds(evaluatorSettings.timeoutSeconds),
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
  /** Where the manifest's entry paths resolve; tests point it at stub handlers. */
  projectRoot?: string;
  /** Defaults to the manifest; tests may pass their own list. */
  functions?: readonly FunctionDefinition[];
}

export class ArbiterStack extends Stack {
  readonly functions: Record<string, ArbiterFunction> = {};
  readonly dataStores: DataStores;
  readonly httpApi: ArbiterHttpApi;

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

    this.dataStores = new DataStores(this, 'Data', { removalPolicy, deletionProtection: persistent });
    const { tables, queues } = this.dataStores;

    for (const definition of definitions) {
      const limits = definition.kind === 'evaluator' ? EVALUATOR_LIMITS : API_FUNCTION_LIMITS;
      const fn = new ArbiterFunction(this, definition.id, {
        entry: join(projectRoot, definition.entry),
        projectRoot,
        description: definition.description,
        ...limits,
        logLevel: props.logLevel ?? 'INFO',
        removalPolicy,
        environment: {
          ARBITER_STAGE: props.stage,
          ...(definition.judgeDefault ? { ARBITER_DEFAULT_JUDGE_MODEL: props.defaultJudgeModel ?? DEFAULT_JUDGE_MODEL_ID } : {}),
        },
      });
      this.functions[definition.id] = fn;

      for (const [name, access] of entriesOf(definition.tables)) {
        fn.bindTable(tables[name], tableDefinitions[name], access);
      }
      if (definition.secrets) fn.grantProviderSecrets(definition.secrets);
      if (definition.invokesBedrock) fn.grantBedrockInvoke();
      if (definition.kind === 'scheduled') {
        new Rule(this, `${definition.id}Schedule`, {
          description: `Runs ${definition.id}: ${definition.description}`,
          schedule: Schedule.rate(Duration.minutes(definition.scheduleMinutes ?? 5)),
          targets: [new LambdaFunction(fn.function, { retryAttempts: 2 })],
        });
      }
      for (const [name, access] of entriesOf(definition.queues)) {
        const queue = queues[name];
        const queueDefinition: QueueDefinition = queueDefinitions[name];
        fn.bindQueue(queue, queueDefinition, access);
        if (access !== 'consume' && access !== 'consumeAndSend') continue;

        fn.function.addEventSource(
          new SqsEventSource(queue, {
            batchSize: evaluatorSettings.batchSize,
            // Failed records go back to the queue one by one instead of failing the whole batch.
            reportBatchItemFailures: true,
            // Caps concurrent invocations, and with them the load on model providers; without it Lambda
            // scales the poller up to 1,250 concurrent invocations.
            maxConcurrency: evaluatorSettings.maxConcurrency,
          }),
        );
        // A consumer that fans out: a `start` message becomes chunk messages on the same queue.
        if (access === 'consumeAndSend') queue.grantSendMessages(fn.role);
        // It is told the dead-letter queue's URL (for the dead-letter handling the design plans) but is
        // granted nothing on it: messages get there by the queue's redrive policy, not by the function.
        const deadLetterName = queueDefinition.deadLetterQueue as QueueName | undefined;
        if (deadLetterName) {
          fn.addEnvironment(queueDefinitions[deadLetterName].envVar, queues[deadLetterName].queueUrl);
        }
      }
    }

    const authorizers = definitions.filter((definition) => definition.kind === 'authorizer');
    const authorizer = authorizers[0];
    if (authorizers.length !== 1 || !authorizer) {
      throw new Error(
        `functions/manifest.ts must define exactly one function of kind "authorizer", found ${authorizers.length}`,
      );
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

    this.addAlarms(definitions);
    this.addOutputs(props.stage);
  }

  functionFor(id: string): ArbiterFunction {
    const fn = this.functions[id];
    if (!fn) throw new Error(`No function "${id}" in this stack`);
    return fn;
  }

  private addAlarms(definitions: readonly FunctionDefinition[]): void {
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
