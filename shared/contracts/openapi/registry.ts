import * as v from 'valibot';
import { benchmarkLimits, AppendItemsRequestSchema, CreateBenchmarkRequestSchema } from '../benchmarks/schemas.js';
import { BenchmarkItemPageSchema, BenchmarkPageSchema, BenchmarkViewSchema } from '../benchmarks/response-schemas.js';
import {
  CreateEvaluationResponseSchema,
  EvaluationPageSchema,
  EvaluationStatusViewSchema,
  EvaluationViewSchema,
  ItemResultPageSchema,
} from '../evaluations/response-schemas.js';
import { exportContentTypes, NEXT_CURSOR_HEADER } from '../evaluations/export-format.js';
import { ListEvaluationsQuerySchema, ListResultsQuerySchema } from '../evaluations/query-schemas.js';
import { ComparedItemPageSchema, ComparisonSchema, CreateComparisonRequestSchema, ListComparedItemsQuerySchema } from '../comparisons/schemas.js';
import { CreateEvaluationRequestSchema, IdempotencyKeySchema, RescoreRequestSchema } from '../evaluations/schemas.js';
import { EstimateResponseSchema } from '../evaluations/estimate-schemas.js';
import { ModelPageSchema, ModelSchema } from '../models/response-schemas.js';
import { ListModelsQuerySchema, RegisterModelRequestSchema } from '../models/schemas.js';
import { PageQuerySchema } from '../pagination.js';
import { createEvaluationExamples } from './examples.js';
import { HealthSchema } from './health-schema.js';
import { UsageQuerySchema, UsageViewSchema } from '../tenants/schemas.js';
import {
  CreatedWebhookSchema,
  CreateWebhookRequestSchema,
  WebhookDeliveryPageSchema,
  WebhookPageSchema,
  WebhookSchema,
} from '../webhooks/schemas.js';

/**
 * What the OpenAPI document says about each route of `shared/contracts/function-manifest.ts`, keyed `"METHOD path"`.
 * Request schemas are the very objects the handlers validate with; response schemas are the ones the
 * domain types are derived from. The document builder refuses a manifest route without an entry here
 * (and an entry without a route), so the two cannot drift.
 */

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 503;

export interface HeaderSpec {
  description: string;
  schema?: v.GenericSchema;
  /** Always sent with this response. */
  required?: boolean;
}

export interface ResponseSpec {
  description: string;
  /** The JSON body (`application/json`); absent for an empty body (204). */
  schema?: v.GenericSchema;
  /** Other media types the route answers with this status (an HTML report, CSV and JSONL exports). */
  media?: Record<string, { description: string; schema?: v.GenericSchema }>;
  headers?: Record<string, HeaderSpec>;
  /** Examples of the JSON body, by name. */
  examples?: Record<string, { summary: string; value: unknown }>;
}

export interface RequestBodySpec {
  schema: v.GenericSchema;
  description: string;
  /** Also accepted as `application/x-ndjson`: how the lines map to the JSON body. */
  ndjson?: string;
  examples?: Record<string, { summary: string; value: unknown }>;
}

export interface OperationSpec {
  operationId: string;
  summary: string;
  description: string;
  tag: 'Evaluations' | 'Comparisons' | 'Benchmarks' | 'Models' | 'Webhooks' | 'Service';
  /** Descriptions of the `{name}` parameters of the route's path. */
  pathParams?: Record<string, { description: string; schema: v.GenericSchema }>;
  query?: v.ObjectSchema<v.ObjectEntries, v.ErrorMessage<v.ObjectIssue> | undefined>;
  /** Request headers; a description in the schema (`v.description`) becomes the parameter's. */
  headers?: Record<string, { schema: v.GenericSchema; required?: boolean }>;
  body?: RequestBodySpec;
  responses: Record<number, ResponseSpec>;
  /**
   * The error statuses this route answers beyond those every route of its kind answers (see
   * `document.ts`: 401/403/429 for authenticated routes, 400 for a query or body, 404 for a path id,
   * 413/415 for a body), with what they mean here.
   */
  errors?: Partial<Record<ErrorStatus, string>>;
}

const location = (what: string): Record<string, HeaderSpec> => ({ Location: { description: `URL of ${what}.`, schema: v.string(), required: true } });

const EvaluationIdParam = {
  evaluation_id: {
    description: 'The evaluation, as `POST /api/v3/evaluations` answered it.',
    schema: v.pipe(v.string(), v.examples(['eval-01jd2x8k4q7g2m6r9t3v5w8y0z'])),
  },
};
const BenchmarkIdParam = {
  benchmark_id: { description: 'The benchmark, as `POST /api/v3/benchmarks` answered it.', schema: v.pipe(v.string(), v.examples(['task-abc123'])) },
};
const ModelIdParam = {
  model_id: {
    description: 'A registered model id, or a built-in one (`gpt-4`, `baseline:echo`, …).',
    schema: v.pipe(v.string(), v.examples(['claude-3-sonnet-20240229'])),
  },
};

const ComparisonIdParam = {
  comparison_id: {
    description: 'The comparison, as `POST /api/v3/comparisons` answered it.',
    schema: v.pipe(v.string(), v.examples(['cmp-01jd2x8k4q7g2m6r9t3v5w8y0z'])),
  },
};
const unknownComparison = "No comparison with this id for your tenant (another tenant's id answers the same).";
const WebhookIdParam = {
  webhook_id: {
    description: 'The webhook, as `POST /api/v3/webhooks` answered it.',
    schema: v.pipe(v.string(), v.examples(['hook-01jd2x8k4q7g2m6r9t3v5w8y0z'])),
  },
};
const unknownWebhook = "No webhook with this id for your tenant (another tenant's id answers the same).";

const unknownEvaluation = "No evaluation with this id for your tenant (another tenant's id answers the same).";
const unknownBenchmark = "No benchmark with this id for your tenant (another tenant's id answers the same).";
const mediaType = (contentType: string) => contentType.split(';')[0]?.trim() ?? contentType;

export const operations: Record<string, OperationSpec> = {
  'GET /api/v3/health': {
    operationId: 'getHealth',
    tag: 'Service',
    summary: 'Check the service',
    description:
      'Answers 200 once the service reaches its table and queue, 503 naming what it cannot reach. On the local stack also 503 while an evaluator process is dead, restarting or stuck. No authentication.',
    responses: {
      200: { description: 'Every dependency is reachable.', schema: HealthSchema },
      503: { description: 'A dependency is unreachable, or (local stack) an evaluator is not ok; `checks` names it.', schema: HealthSchema },
    },
  },
  'GET /api/v3/openapi.json': {
    operationId: 'getOpenApiDocument',
    tag: 'Service',
    summary: 'This OpenAPI document',
    description: 'The OpenAPI 3.1 document of the API, generated from the schemas the handlers validate with. No authentication.',
    responses: {
      200: { description: 'The OpenAPI 3.1 document.', schema: v.pipe(v.record(v.string(), v.unknown()), v.description('An OpenAPI 3.1 document.')) },
    },
  },

  'POST /api/v3/evaluations': {
    operationId: 'createEvaluation',
    tag: 'Evaluations',
    summary: 'Create a new model evaluation using an existing benchmark',
    description:
      'Initiates a model evaluation using a benchmark from your library: one model, or two side by side (comparison mode, with `model_id_2`). ' +
      'The evaluation runs asynchronously: poll `GET /api/v3/evaluations/{evaluation_id}/status` (the `Location` header) to track progress, and read the results with `GET /api/v3/evaluations/{evaluation_id}`.',
    headers: { 'Idempotency-Key': { schema: IdempotencyKeySchema } },
    body: {
      schema: CreateEvaluationRequestSchema,
      description:
        "The model (or two) and the benchmark; `custom_metrics` names metrics or configures them (defaults: the benchmark's); `budget_usd` caps what the model and judge calls may spend.",
      examples: createEvaluationExamples.requests,
    },
    responses: {
      202: {
        description: 'Accepted: the evaluation is recorded as `pending` and queued for execution.',
        schema: CreateEvaluationResponseSchema,
        examples: createEvaluationExamples.responses,
        headers: {
          ...location("the evaluation's status"),
          'Idempotent-Replayed': { description: '`true` when an `Idempotency-Key` replayed the first response.', schema: v.literal('true') },
        },
      },
    },
    errors: {
      409: 'The `Idempotency-Key` was already used with a different body (`idempotency_key_reused`).',
      422: 'Well-formed but unusable: an unknown benchmark or model, an unknown metric, a judged metric without a judge model, a pairwise metric without `model_id_2`, an empty benchmark, a `budget_usd` with a candidate or judge model that has no `pricing` (`budget_requires_pricing`).',
      503: 'The evaluation could not be queued; nothing was run. Retry (see `Retry-After`).',
      429: 'A tenant quota is reached (`quota_exceeded`, with `quota`, `limit` and `current`): `active_evaluations` (no `Retry-After`: create it once one finishes), `items_per_evaluation` (the benchmark is too large; waiting does not help), `monthly_spend_usd` (`Retry-After`: seconds to the next UTC month) or `requests_per_minute` (`Retry-After`: seconds to the next minute). Or throttled by API Gateway (`message` only).',
    },
  },
  'POST /api/v3/evaluations/estimate': {
    operationId: 'estimateEvaluation',
    tag: 'Evaluations',
    summary: 'Estimate an evaluation before running it',
    description:
      'Takes exactly the body of `POST /api/v3/evaluations` and answers what that evaluation would do, writing nothing (no record, no message, no idempotency record): ' +
      'calls per model and per judge (judged metrics once per answer, pairwise metrics in both orders), input tokens from the rendered prompts (the tokenisation method is named), ' +
      "output tokens from `max_tokens` and from the model's observed outputs in this tenant's completed evaluations, a cost range per model and judge (null without pricing), totals, " +
      'and an expected duration from the concurrency available, with the assumptions in words. Unknown benchmarks, models, metrics or judges answer the same 422 as create.',
    body: {
      schema: CreateEvaluationRequestSchema,
      description: 'The body a create would take.',
      examples: createEvaluationExamples.requests,
    },
    responses: { 200: { description: 'The estimate.', schema: EstimateResponseSchema } },
    errors: {
      422: 'Well-formed but unusable, exactly as create: an unknown benchmark or model, an unknown metric, a judged metric without a judge model, a pairwise metric without `model_id_2`, an empty benchmark.',
    },
  },
  'GET /api/v3/evaluations': {
    operationId: 'listEvaluations',
    tag: 'Evaluations',
    summary: 'List evaluations',
    description: "The tenant's evaluations, newest first, `limit` at a time; filter by `status`, `benchmark_id` or `model_id`.",
    query: ListEvaluationsQuerySchema,
    responses: { 200: { description: 'One page of evaluations (their status views).', schema: EvaluationPageSchema } },
  },
  'GET /api/v3/evaluations/{evaluation_id}': {
    operationId: 'getEvaluation',
    tag: 'Evaluations',
    summary: 'Read an evaluation and its results',
    description:
      "The record, the pinned benchmark version, the models as resolved, and `results` once the evaluation has finished: per model, every metric's mean with its 95% CI; in comparison mode, the paired comparison per metric.",
    pathParams: EvaluationIdParam,
    responses: { 200: { description: 'The evaluation.', schema: EvaluationViewSchema } },
    errors: { 404: unknownEvaluation },
  },
  'GET /api/v3/evaluations/{evaluation_id}/status': {
    operationId: 'getEvaluationStatus',
    tag: 'Evaluations',
    summary: "Track an evaluation's progress",
    description: 'Status, items finished per model, percent, rate and ETA: what a progress bar needs.',
    pathParams: EvaluationIdParam,
    responses: { 200: { description: 'The status view.', schema: EvaluationStatusViewSchema } },
    errors: { 404: unknownEvaluation },
  },
  'GET /api/v3/evaluations/{evaluation_id}/results': {
    operationId: 'listEvaluationResults',
    tag: 'Evaluations',
    summary: 'Per-item results',
    description:
      "One row per benchmark item, every model's answer side by side with its scores, latency, usage and failure reason. " +
      '`?failed=true` keeps failed items only, `?model_id=` one model. `?format=csv|jsonl` exports every result in one response instead of a page (`limit` does not apply); ' +
      `an export that would pass Lambda's response size limit stops early and sets the \`${NEXT_CURSOR_HEADER}\` header: pass it back as \`cursor\` for the rest. ` +
      "CSV cells that a spreadsheet would run as a formula are escaped with a leading `'` unless `?escape_formulas=false`.",
    pathParams: EvaluationIdParam,
    query: ListResultsQuerySchema,
    responses: {
      200: {
        description: 'A page of results (JSON), or the export (CSV, JSONL).',
        schema: ItemResultPageSchema,
        media: {
          [mediaType(exportContentTypes.csv)]: {
            description: '`format=csv`: one record per item and model; fixed columns first, then one `score_<metric>` column per metric.',
            schema: v.string(),
          },
          [mediaType(exportContentTypes.jsonl)]: {
            description: '`format=jsonl`: one JSON object per line, each an item result as in the JSON page.',
            schema: v.string(),
          },
        },
        headers: {
          [NEXT_CURSOR_HEADER]: {
            description: 'Exports only: set when the export stopped at the size limit; pass it as `cursor` for the rest.',
            schema: v.string(),
          },
          'Content-Disposition': { description: 'Exports only: a file name for the download.', schema: v.string() },
        },
      },
    },
    errors: { 404: `${unknownEvaluation} Also: \`model_id\` names a model the evaluation did not evaluate.` },
  },
  'GET /api/v3/evaluations/{evaluation_id}/report': {
    operationId: 'getEvaluationReport',
    tag: 'Evaluations',
    summary: 'HTML report of an evaluation',
    description:
      'A self-contained HTML page (no network requests): per-metric charts with 95% CI whiskers, the comparison, score distributions, latency and cost, and the items where the models disagree most.',
    pathParams: EvaluationIdParam,
    responses: {
      200: { description: 'The report.', media: { 'text/html': { description: 'A self-contained HTML page.', schema: v.string() } } },
    },
    errors: { 404: unknownEvaluation },
  },
  'POST /api/v3/evaluations/{evaluation_id}/rescore': {
    operationId: 'rescoreEvaluation',
    tag: 'Evaluations',
    summary: "Score a completed evaluation's answers again with other metrics",
    description:
      'Creates a new evaluation (`pending`, then run like any other) over the same models, benchmark items and stored answers, scored with `custom_metrics`: ' +
      'no candidate model is called, only the judges of judged metrics. Its answers carry `reused_from` and cost 0 (the source shows what they cost); ' +
      'its status names `source_evaluation_id`. Failed answers stay failed. Takes an `Idempotency-Key` like create.',
    pathParams: EvaluationIdParam,
    headers: { 'Idempotency-Key': { schema: IdempotencyKeySchema } },
    body: { schema: RescoreRequestSchema, description: 'The metrics to score with; optionally a budget for the judges and tags.' },
    responses: {
      202: {
        description: 'Accepted: the new evaluation is recorded as `pending` and queued.',
        schema: CreateEvaluationResponseSchema,
        headers: {
          ...location("the new evaluation's status"),
          'Idempotent-Replayed': { description: '`true` when an `Idempotency-Key` replayed the first response.', schema: v.literal('true') },
        },
      },
    },
    errors: {
      404: unknownEvaluation,
      409: 'The evaluation has not completed (`evaluation_not_finished` while pending or running, `evaluation_not_completed` when it failed or was cancelled), or the `Idempotency-Key` was used with a different body (`idempotency_key_reused`).',
      422: 'An unknown metric, a judged metric without a judge model, a pairwise metric on a single-model evaluation, a `budget_usd` with a judge that has no `pricing`, or the benchmark was deleted (`benchmark_deleted`).',
      429: 'A tenant quota is reached (`quota_exceeded`), as on create.',
    },
  },
  'POST /api/v3/evaluations/{evaluation_id}/cancel': {
    operationId: 'cancelEvaluation',
    tag: 'Evaluations',
    summary: 'Cancel an evaluation',
    description: 'Stops further chunks from calling models; what was done is kept. The evaluation ends `cancelled` once in-flight work has stopped.',
    pathParams: EvaluationIdParam,
    responses: {
      202: {
        description: 'Accepted: the evaluation is being cancelled.',
        schema: EvaluationStatusViewSchema,
        headers: location("the evaluation's status"),
      },
    },
    errors: { 404: unknownEvaluation, 409: 'The evaluation has already finished (`evaluation_finished`): there is nothing to cancel.' },
  },

  'POST /api/v3/comparisons': {
    operationId: 'createComparison',
    tag: 'Comparisons',
    summary: 'Compare two finished evaluations',
    description:
      'Aligns the items of a baseline and a candidate evaluation by `item_id` and, per metric, reports the paired difference (candidate − baseline) with its 95% interval, the p-value of the test that fits the metric, the Holm-adjusted p-value across the metrics, a verdict, and, for metrics given a `margin`, a one-sided non-inferiority test (docs/statistics.md "Comparing two evaluations").',
    body: {
      schema: CreateComparisonRequestSchema,
      description: 'The two evaluations (the baseline by id or by `latest:<tag>=<value>`), and optionally the metrics, margins and items.',
    },
    responses: { 201: { description: 'Created.', schema: ComparisonSchema, headers: location('the comparison') } },
    errors: {
      404: `${unknownEvaluation} Applies to \`candidate_evaluation_id\` and \`baseline_evaluation_id\`.`,
      422: 'An evaluation that has not completed (`evaluation_not_finished`), a `baseline` selector that matches nothing (`baseline_not_found`) or another benchmark or model (`baseline_mismatch`), benchmarks whose content differs without `item_ids` (`benchmark_mismatch`), a metric or margin not scored by both (`unknown_metric`), a `model_id` one of them did not evaluate (`unknown_model`).',
    },
  },
  'GET /api/v3/comparisons/{comparison_id}': {
    operationId: 'getComparison',
    tag: 'Comparisons',
    summary: 'Read a comparison',
    description: 'The stored comparison, as `POST /api/v3/comparisons` answered it.',
    pathParams: ComparisonIdParam,
    responses: { 200: { description: 'The comparison.', schema: ComparisonSchema } },
    errors: { 404: unknownComparison },
  },
  'GET /api/v3/comparisons/{comparison_id}/items': {
    operationId: 'listComparisonItems',
    tag: 'Comparisons',
    summary: 'Page through the items that regressed or improved',
    description:
      'Items worse (`change=regressed`, the default) or better (`change=improved`) on at least one compared metric, in candidate order, with both scores per metric.',
    pathParams: ComparisonIdParam,
    query: ListComparedItemsQuerySchema,
    responses: { 200: { description: 'One page of items.', schema: ComparedItemPageSchema } },
    errors: { 404: unknownComparison },
  },
  'POST /api/v3/benchmarks': {
    operationId: 'createBenchmark',
    tag: 'Benchmarks',
    summary: 'Create a benchmark',
    description: `A benchmark with up to ${benchmarkLimits.maxItemsPerRequest} items per request (append the rest with \`POST /api/v3/benchmarks/{benchmark_id}/items\`). Items are checked all or nothing.`,
    body: {
      schema: CreateBenchmarkRequestSchema,
      description: 'The benchmark and its first items.',
      ndjson: 'JSON Lines: line 1 is the benchmark without `items`, each further line one item.',
    },
    responses: { 201: { description: 'Created.', schema: BenchmarkViewSchema, headers: location('the benchmark') } },
    errors: { 413: `The body is larger than ${benchmarkLimits.maxRequestBytes} bytes.` },
  },
  'GET /api/v3/benchmarks': {
    operationId: 'listBenchmarks',
    tag: 'Benchmarks',
    summary: 'List benchmarks',
    description: "The tenant's benchmarks, newest first, `limit` at a time.",
    query: PageQuerySchema,
    responses: { 200: { description: 'One page of benchmarks.', schema: BenchmarkPageSchema } },
  },
  'GET /api/v3/benchmarks/{benchmark_id}': {
    operationId: 'getBenchmark',
    tag: 'Benchmarks',
    summary: "Read a benchmark's metadata",
    description: 'Name, task type, prompt template, item count, version and content hash.',
    pathParams: BenchmarkIdParam,
    responses: { 200: { description: 'The benchmark.', schema: BenchmarkViewSchema } },
    errors: { 404: unknownBenchmark },
  },
  'GET /api/v3/benchmarks/{benchmark_id}/items': {
    operationId: 'listBenchmarkItems',
    tag: 'Benchmarks',
    summary: "Page through a benchmark's items",
    description: 'Items in benchmark order (not newest first), `limit` at a time, with the version and content hash they belong to.',
    pathParams: BenchmarkIdParam,
    query: PageQuerySchema,
    responses: { 200: { description: 'One page of items.', schema: BenchmarkItemPageSchema } },
    errors: { 404: unknownBenchmark },
  },
  'POST /api/v3/benchmarks/{benchmark_id}/items': {
    operationId: 'appendBenchmarkItems',
    tag: 'Benchmarks',
    summary: 'Append items to a benchmark',
    description: `All or nothing, up to ${benchmarkLimits.maxItemsPerRequest} items per request and ${benchmarkLimits.maxItemsPerBenchmark} per benchmark. Appending after an evaluation pinned the current version starts a new version, so that evaluation's items never change.`,
    pathParams: BenchmarkIdParam,
    body: { schema: AppendItemsRequestSchema, description: 'The items to append.', ndjson: 'JSON Lines: one item per line.' },
    responses: { 200: { description: 'The benchmark after the append.', schema: BenchmarkViewSchema } },
    errors: {
      404: unknownBenchmark,
      409: 'Another append to this benchmark is in progress (`benchmark_busy`); retry when it has finished.',
      413: `The body is larger than ${benchmarkLimits.maxRequestBytes} bytes.`,
    },
  },
  'DELETE /api/v3/benchmarks/{benchmark_id}': {
    operationId: 'deleteBenchmark',
    tag: 'Benchmarks',
    summary: 'Delete a benchmark',
    description: 'Gone from every read at once; its items are purged in the background. Evaluations that ran on it keep their results.',
    pathParams: BenchmarkIdParam,
    responses: { 204: { description: 'Deleted.' } },
    errors: { 404: unknownBenchmark, 409: 'An evaluation is pending or running on this benchmark (`benchmark_in_use`).' },
  },

  'POST /api/v3/models': {
    operationId: 'registerModel',
    tag: 'Models',
    summary: 'Register a model',
    description:
      'A provider model under an id of your choice, with its generation parameters, pricing and where its key lives (never the key itself): a Secrets Manager secret under `arbiter/tenants/<your tenant>/`, or on the local stack an environment variable the operator allows. ' +
      "An OpenAI or Anthropic model without a `base_url` may name no key and then uses the deployment's key at the provider's official endpoint; a model with a `base_url` brings its own key or none.",
    body: { schema: RegisterModelRequestSchema, description: 'The model.' },
    responses: { 201: { description: 'Registered.', schema: ModelSchema, headers: location('the model') } },
    errors: {
      409: 'A model with this id is already registered (`model_exists`); delete it first to change it.',
      422: "The model's credentials are not allowed: a secret outside the tenant's prefix (`api_key_secret_not_allowed`), the deployment's key for a custom `base_url` (`deployment_credentials_not_allowed`), a variable the operator does not allow (`api_key_env_not_allowed`); or not usable (`model_credentials_missing`): the named secret or variable does not exist; or this deployment may not call its `base_url` (`base_url_not_allowed`): a loopback, private, link-local or metadata address, or plain http where only https is allowed (docs/security.md).",
    },
  },
  'GET /api/v3/models': {
    operationId: 'listModels',
    tag: 'Models',
    summary: 'List models',
    description: 'Registered models, newest first, then (with `source=all`, the default) the built-in catalogue on the last page.',
    query: ListModelsQuerySchema,
    responses: { 200: { description: 'One page of models.', schema: ModelPageSchema } },
  },
  'GET /api/v3/models/{model_id}': {
    operationId: 'getModel',
    tag: 'Models',
    summary: 'Read a model',
    description: 'A registered model, else the built-in model of that id.',
    pathParams: ModelIdParam,
    responses: { 200: { description: 'The model.', schema: ModelSchema } },
    errors: { 404: 'No registered or built-in model with this id.' },
  },
  'GET /api/v3/usage': {
    operationId: 'getUsage',
    tag: 'Service',
    summary: "The tenant's usage and quotas",
    description:
      "This tenant's month (`?month=YYYY-MM`, UTC; the current one by default): spend and tokens by model and by judge of the evaluations that finished in it with results, " +
      'evaluations created, completed, failed and cancelled in it, those active now, and each quota the operator set with where the tenant stands. Only the caller’s own data.',
    query: UsageQuerySchema,
    responses: { 200: { description: 'The usage view.', schema: UsageViewSchema } },
  },
  'DELETE /api/v3/models/{model_id}': {
    operationId: 'deleteModel',
    tag: 'Models',
    summary: 'Delete a registered model',
    description: 'Evaluations keep the snapshot of the model they ran with, so deleting one never changes past results.',
    pathParams: ModelIdParam,
    responses: { 204: { description: 'Deleted.' } },
    errors: { 404: 'No registered model with this id.', 409: 'The model is built in (`builtin_model`) and cannot be deleted.' },
  },
  'POST /api/v3/webhooks': {
    operationId: 'createWebhook',
    tag: 'Webhooks',
    summary: 'Register a webhook',
    description:
      'An endpoint Arbiter POSTs to when one of your evaluations reaches a final state (completed, failed, cancelled), signed in the Standard Webhooks scheme with the `secret` this answer shows once. Retried with backoff for a day; see docs/webhooks.md.',
    body: { schema: CreateWebhookRequestSchema, description: 'The endpoint.' },
    responses: { 201: { description: 'Registered; `secret` is shown only here.', schema: CreatedWebhookSchema, headers: location('the webhook') } },
    errors: {
      409: 'The tenant already has the most webhooks allowed (`webhook_limit_reached`).',
      422: 'This deployment may not deliver to the URL (`webhook_url_not_allowed`): not https (outside the local stack), credentials in the URL, or a host the egress policy refuses (docs/security.md).',
    },
  },
  'GET /api/v3/webhooks': {
    operationId: 'listWebhooks',
    tag: 'Webhooks',
    summary: 'List webhooks',
    description: 'Your webhooks, newest first, without their secrets.',
    query: PageQuerySchema,
    responses: { 200: { description: 'One page of webhooks.', schema: WebhookPageSchema } },
  },
  'GET /api/v3/webhooks/{webhook_id}': {
    operationId: 'getWebhook',
    tag: 'Webhooks',
    summary: 'Read a webhook',
    description: 'The endpoint as registered, without its secret.',
    pathParams: WebhookIdParam,
    responses: { 200: { description: 'The webhook.', schema: WebhookSchema } },
    errors: { 404: unknownWebhook },
  },
  'DELETE /api/v3/webhooks/{webhook_id}': {
    operationId: 'deleteWebhook',
    tag: 'Webhooks',
    summary: 'Delete a webhook',
    description: 'No further deliveries are attempted; its delivery log stays readable until it expires.',
    pathParams: WebhookIdParam,
    responses: { 204: { description: 'Deleted.' } },
    errors: { 404: unknownWebhook },
  },
  'GET /api/v3/webhooks/{webhook_id}/deliveries': {
    operationId: 'listWebhookDeliveries',
    tag: 'Webhooks',
    summary: "A webhook's delivery log",
    description: 'Deliveries newest first, each with every attempt: when, the status code or error, the latency, and when the next attempt is due.',
    pathParams: WebhookIdParam,
    query: PageQuerySchema,
    responses: { 200: { description: 'One page of deliveries.', schema: WebhookDeliveryPageSchema } },
    errors: { 404: unknownWebhook },
  },
};
