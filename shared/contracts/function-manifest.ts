/**
 * Every Lambda function and HTTP route of Arbiter, in one list. The CDK stack creates a function, its
 * grants and its routes from each entry; the local HTTP server routes requests with the same list. A new
 * route is added here and nowhere else.
 */
import type { QueueName, TableName } from '#shared/contracts/resources.js';

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

export interface RouteDefinition {
  method: HttpMethod;
  /** API Gateway route path, with `{name}` path parameters. */
  path: string;
  /** False only for the few routes anyone may call (health, OpenAPI document). */
  authorized: boolean;
}

export type TableAccess = 'read' | 'write' | 'readWrite';
/** `consume`: the function is the queue's event source target; `consumeAndSend` also sends to it (fan-out). */
export type QueueAccess = 'send' | 'consume' | 'consumeAndSend' | 'read';

export interface FunctionDefinition {
  /** CDK construct id, and the name used by `npm run invoke`. */
  id: string;
  kind: 'api' | 'authorizer' | 'evaluator' | 'scheduled';
  /** Path of the handler module from the repository root. */
  entry: string;
  description: string;
  routes: RouteDefinition[];
  tables: Partial<Record<TableName, TableAccess>>;
  queues: Partial<Record<QueueName, QueueAccess>>;
  /** For kind `scheduled`: how often it runs (an EventBridge rule in the cloud, a timer locally). */
  scheduleMinutes?: number;
  /** Calls models on Amazon Bedrock (the Converse API). */
  invokesBedrock?: boolean;
  /** Access to provider keys in Secrets Manager (names under `arbiter/`): check they exist, or read them. */
  secrets?: 'describe' | 'read';
  /** Told the deployment's default judge model (`ARBITER_DEFAULT_JUDGE_MODEL`). */
  judgeDefault?: boolean;
}

const api = (
  id: string,
  method: HttpMethod,
  path: string,
  file: string,
  description: string,
  access: Pick<FunctionDefinition, 'tables' | 'secrets'> & Partial<Pick<FunctionDefinition, 'queues'>>,
): FunctionDefinition => ({
  id,
  kind: 'api',
  entry: `functions/api/${file}.ts`,
  description,
  routes: [{ method, path, authorized: true }],
  ...access,
  // Every authenticated route counts its request against the tenant's request-rate quota.
  tables: { requestRates: 'write', ...access.tables },
  queues: access.queues ?? {},
});

export const functionDefinitions: FunctionDefinition[] = [
  {
    id: 'Authorizer',
    kind: 'authorizer',
    entry: 'functions/authorizer/authorizer.ts',
    description: 'Resolves a bearer API key to its tenant and scopes',
    routes: [],
    tables: { apiKeys: 'read' },
    queues: {},
  },
  {
    id: 'Health',
    kind: 'api',
    entry: 'functions/api/health.ts',
    description: 'Answers 200 once the service reaches its table and queue',
    routes: [{ method: 'GET', path: '/api/v3/health', authorized: false }],
    tables: { evaluations: 'read' },
    queues: { work: 'read' },
  },
  {
    id: 'CreateEvaluation',
    kind: 'api',
    entry: 'functions/api/create-evaluation.ts',
    description: 'Validates and records an evaluation, then queues its start message',
    routes: [{ method: 'POST', path: '/api/v3/evaluations', authorized: true }],
    // Writes the benchmark's record too: an evaluation pins the version it runs on.
    // Reads the tenant's quotas and default budget (api keys table) and counts its request (request rates).
    tables: { evaluations: 'readWrite', benchmarks: 'readWrite', models: 'read', apiKeys: 'read', requestRates: 'write' },
    queues: { work: 'send' },
    secrets: 'describe',
    // Resolves judged metrics' judge models at creation.
    judgeDefault: true,
  },
  {
    id: 'OpenApiDocument',
    kind: 'api',
    entry: 'functions/api/get-openapi-document.ts',
    description: 'Serves the OpenAPI 3.1 document generated from the route schemas',
    routes: [{ method: 'GET', path: '/api/v3/openapi.json', authorized: false }],
    tables: {},
    queues: {},
  },
  {
    ...api(
      'EstimateEvaluation',
      'POST',
      '/api/v3/evaluations/estimate',
      'estimate-evaluation',
      'Estimates the calls, tokens, cost and duration of a create body, writing nothing',
      // Reads what create reads (and the tenant's completed evaluations for observed lengths); writes nothing.
      { tables: { evaluations: 'read', benchmarks: 'read', models: 'read' }, secrets: 'describe' },
    ),
    // Resolves judged metrics' judge models exactly as create does.
    judgeDefault: true,
  },
  api('ListEvaluations', 'GET', '/api/v3/evaluations', 'list-evaluations', "Lists the tenant's evaluations, newest first", {
    tables: { evaluations: 'read' },
  }),
  api('GetEvaluation', 'GET', '/api/v3/evaluations/{evaluation_id}', 'get-evaluation', 'Reads an evaluation and its results', {
    tables: { evaluations: 'read' },
  }),
  api('ListEvaluationResults', 'GET', '/api/v3/evaluations/{evaluation_id}/results', 'list-evaluation-results', 'Pages through per-item results', {
    tables: { evaluations: 'read' },
  }),
  api(
    'GetEvaluationReport',
    'GET',
    '/api/v3/evaluations/{evaluation_id}/report',
    'get-evaluation-report',
    'Renders a self-contained HTML report of an evaluation',
    {
      tables: { evaluations: 'read', benchmarks: 'read' },
    },
  ),
  api('CreateComparison', 'POST', '/api/v3/comparisons', 'create-comparison', 'Compares two finished evaluations and stores the comparison', {
    tables: { evaluations: 'readWrite' },
  }),
  api('GetComparison', 'GET', '/api/v3/comparisons/{comparison_id}', 'get-comparison', 'Reads a comparison', {
    tables: { evaluations: 'read' },
  }),
  api(
    'ListComparisonItems',
    'GET',
    '/api/v3/comparisons/{comparison_id}/items',
    'list-comparison-items',
    'Pages through the items a comparison found changed',
    {
      tables: { evaluations: 'read' },
    },
  ),
  {
    ...api(
      'RescoreEvaluation',
      'POST',
      '/api/v3/evaluations/{evaluation_id}/rescore',
      'rescore-evaluation',
      "Creates an evaluation that scores a completed one's stored answers with new metrics, calling no candidate",
      // What create reads and writes: the new evaluation pins the benchmark and counts under the quotas.
      {
        tables: { evaluations: 'readWrite', benchmarks: 'readWrite', models: 'read', apiKeys: 'read' },
        queues: { work: 'send' },
        secrets: 'describe',
      },
    ),
    judgeDefault: true,
  },
  api('CancelEvaluation', 'POST', '/api/v3/evaluations/{evaluation_id}/cancel', 'cancel-evaluation', 'Cancels a pending or running evaluation', {
    tables: { evaluations: 'readWrite' },
  }),
  {
    id: 'GetEvaluationStatus',
    kind: 'api',
    entry: 'functions/api/get-evaluation-status.ts',
    description: "Reports an evaluation's status and progress",
    routes: [{ method: 'GET', path: '/api/v3/evaluations/{evaluation_id}/status', authorized: true }],
    tables: { evaluations: 'read', requestRates: 'write' },
    queues: {},
  },
  api('CreateBenchmark', 'POST', '/api/v3/benchmarks', 'create-benchmark', 'Creates a benchmark from JSON or JSONL', {
    tables: { benchmarks: 'readWrite' },
  }),
  api('ListBenchmarks', 'GET', '/api/v3/benchmarks', 'list-benchmarks', "Lists the tenant's benchmarks, newest first", {
    tables: { benchmarks: 'read' },
  }),
  api('GetBenchmark', 'GET', '/api/v3/benchmarks/{benchmark_id}', 'get-benchmark', "Reads a benchmark's metadata", {
    tables: { benchmarks: 'read' },
  }),
  api('ListBenchmarkItems', 'GET', '/api/v3/benchmarks/{benchmark_id}/items', 'list-benchmark-items', "Pages through a benchmark's items in order", {
    tables: { benchmarks: 'read' },
  }),
  api(
    'AppendBenchmarkItems',
    'POST',
    '/api/v3/benchmarks/{benchmark_id}/items',
    'append-benchmark-items',
    'Appends items to a benchmark, all or nothing',
    {
      tables: { benchmarks: 'readWrite' },
    },
  ),
  api('DeleteBenchmark', 'DELETE', '/api/v3/benchmarks/{benchmark_id}', 'delete-benchmark', 'Deletes a benchmark that no evaluation is using', {
    tables: { benchmarks: 'readWrite', evaluations: 'read' },
    queues: { work: 'send' },
  }),
  api('RegisterModel', 'POST', '/api/v3/models', 'register-model', 'Registers a model for the tenant', {
    tables: { models: 'readWrite' },
    secrets: 'describe',
  }),
  api('ListModels', 'GET', '/api/v3/models', 'list-models', 'Lists registered models and the built-in catalogue', {
    tables: { models: 'read' },
  }),
  api('GetModel', 'GET', '/api/v3/models/{model_id}', 'get-model', 'Reads a registered or built-in model', {
    tables: { models: 'read' },
  }),
  api('DeleteModel', 'DELETE', '/api/v3/models/{model_id}', 'delete-model', 'Deletes a registered model', {
    tables: { models: 'readWrite' },
  }),
  api('GetUsage', 'GET', '/api/v3/usage', 'get-usage', "Reports the tenant's spend, tokens, evaluations and quotas for a month", {
    // Reads the request-rate window too, to show where the tenant stands in this minute.
    tables: { evaluations: 'read', apiKeys: 'read', requestRates: 'readWrite' },
  }),
  api('CreateWebhook', 'POST', '/api/v3/webhooks', 'create-webhook', 'Registers a completion webhook and shows its signing secret once', {
    tables: { evaluations: 'readWrite' },
  }),
  api('ListWebhooks', 'GET', '/api/v3/webhooks', 'list-webhooks', "Lists the tenant's webhooks, newest first", {
    tables: { evaluations: 'read' },
  }),
  api('GetWebhook', 'GET', '/api/v3/webhooks/{webhook_id}', 'get-webhook', 'Reads a webhook (never its secret)', {
    tables: { evaluations: 'read' },
  }),
  api('DeleteWebhook', 'DELETE', '/api/v3/webhooks/{webhook_id}', 'delete-webhook', 'Deletes a webhook; its pending deliveries stop', {
    tables: { evaluations: 'readWrite' },
  }),
  api(
    'ListWebhookDeliveries',
    'GET',
    '/api/v3/webhooks/{webhook_id}/deliveries',
    'list-webhook-deliveries',
    "Pages through a webhook's delivery log",
    {
      tables: { evaluations: 'read' },
    },
  ),
  {
    id: 'Evaluator',
    kind: 'evaluator',
    entry: 'functions/evaluator/evaluator.ts',
    description: 'Consumes work messages: plans, runs and finalizes evaluations; purges deleted benchmarks',
    routes: [],
    tables: { evaluations: 'readWrite', benchmarks: 'readWrite', models: 'read' },
    // It sends too: a start message fans out into chunk messages on the same queue; a message it cannot
    // read goes straight to the dead-letter queue (retrying it cannot help).
    queues: { work: 'consumeAndSend', workDeadLetter: 'send' },
    secrets: 'read',
    invokesBedrock: true,
    judgeDefault: true,
  },
  {
    id: 'DeadLetterHandler',
    kind: 'evaluator',
    entry: 'functions/evaluator/dead-letter-handler.ts',
    description: 'Fails the work of dead-lettered messages with the reason, so no evaluation hangs',
    routes: [],
    tables: { evaluations: 'readWrite', benchmarks: 'read' },
    queues: { workDeadLetter: 'consume' },
  },
  {
    id: 'Reconciler',
    kind: 'scheduled',
    entry: 'functions/evaluator/reconciler.ts',
    description: 'Re-drives or fails evaluations whose progress stalled',
    routes: [],
    // Every minute: a chunk whose delivery died is re-sent within a lease time plus this (docs/reliability.md).
    scheduleMinutes: 1,
    tables: { evaluations: 'readWrite', benchmarks: 'read' },
    queues: { work: 'send' },
  },
  {
    id: 'WebhookSweeper',
    kind: 'scheduled',
    entry: 'functions/evaluator/webhook-sweeper.ts',
    description: "Announces evaluations' final states to the tenants' webhooks and retries failed deliveries",
    routes: [],
    // A scheduled sweep rather than an SQS delay chain: retries reach ten hours apart (SQS delays stop at
    // 15 minutes), each attempt's state is one row the delivery log reads, and receivers never hold up
    // the evaluator's queue. Every minute bounds how late the first attempt is.
    scheduleMinutes: 1,
    tables: { evaluations: 'readWrite', benchmarks: 'read' },
    queues: {},
  },
];

export function findFunction(id: string): FunctionDefinition | undefined {
  return functionDefinitions.find((definition) => definition.id === id);
}
