import {
  ComparedItemPageSchema,
  ComparedItemSchema,
  ComparisonSchema,
  CreateComparisonRequestSchema,
  MetricComparisonResultSchema,
} from '../comparisons/schemas.js';
import { AppendItemsRequestSchema, BenchmarkItemInputSchema, CreateBenchmarkRequestSchema } from '../benchmarks/schemas.js';
import { BenchmarkItemPageSchema, BenchmarkItemSchema, BenchmarkPageSchema, BenchmarkViewSchema } from '../benchmarks/response-schemas.js';
import {
  CreateEvaluationResponseSchema,
  EvaluationErrorSchema,
  EvaluationPageSchema,
  EvaluationResultsSchema,
  EvaluationStatusViewSchema,
  EvaluationViewSchema,
  ItemResultPageSchema,
  ItemResultSchema,
  JudgementSchema,
  JudgeSummarySchema,
  MetricAggregateSchema,
  MetricComparisonSchema,
  ModelOutputSchema,
  ModelResultsSchema,
  PairwiseJudgementSchema,
  PairwiseSummarySchema,
  TokenUsageSchema,
} from '../evaluations/response-schemas.js';
import { CustomMetricSchema, MetricConfigSchema } from '../evaluations/custom-metric-schemas.js';
import { CreateEvaluationRequestSchema, RescoreRequestSchema } from '../evaluations/schemas.js';
import { EstimateResponseSchema } from '../evaluations/estimate-schemas.js';
import { MetricNameSchema } from '../identifiers.js';
import { GenerationParametersSchema, PricingSchema } from '../models/model-fields.js';
import { ModelPageSchema, ModelSchema } from '../models/response-schemas.js';
import { RegisterModelRequestSchema } from '../models/schemas.js';
import { HealthSchema } from './health-schema.js';
import { ErrorBodySchema, FieldErrorSchema, GatewayErrorSchema } from '../primitives.js';
import { UsageViewSchema } from '../tenants/schemas.js';
import {
  CreatedWebhookSchema,
  CreateWebhookRequestSchema,
  WebhookDeliveryPageSchema,
  WebhookDeliverySchema,
  WebhookPageSchema,
  WebhookSchema,
} from '../webhooks/schemas.js';

/**
 * The schemas the document names under `components.schemas` (and the generated client exports as
 * `components['schemas'][name]`). Wherever one of these objects appears inside another schema, the
 * document refers to it by name instead of repeating it.
 */
export const namedSchemas = {
  Error: ErrorBodySchema,
  FieldError: FieldErrorSchema,
  GatewayError: GatewayErrorSchema,
  Health: HealthSchema,

  CreateEvaluationRequest: CreateEvaluationRequestSchema,
  RescoreRequest: RescoreRequestSchema,
  CustomMetric: CustomMetricSchema,
  MetricName: MetricNameSchema,
  MetricConfig: MetricConfigSchema,
  CreateEvaluationResponse: CreateEvaluationResponseSchema,
  EvaluationStatus: EvaluationStatusViewSchema,
  EvaluationError: EvaluationErrorSchema,
  Evaluation: EvaluationViewSchema,
  EvaluationPage: EvaluationPageSchema,
  EvaluationResults: EvaluationResultsSchema,
  ModelResults: ModelResultsSchema,
  MetricAggregate: MetricAggregateSchema,
  MetricComparison: MetricComparisonSchema,
  PairwiseSummary: PairwiseSummarySchema,
  JudgeSummary: JudgeSummarySchema,
  ItemResult: ItemResultSchema,
  ItemResultPage: ItemResultPageSchema,
  ModelOutput: ModelOutputSchema,
  Judgement: JudgementSchema,
  PairwiseJudgement: PairwiseJudgementSchema,
  TokenUsage: TokenUsageSchema,
  EvaluationEstimate: EstimateResponseSchema,

  CreateComparisonRequest: CreateComparisonRequestSchema,
  Comparison: ComparisonSchema,
  MetricComparisonResult: MetricComparisonResultSchema,
  ComparedItem: ComparedItemSchema,
  ComparedItemPage: ComparedItemPageSchema,

  CreateBenchmarkRequest: CreateBenchmarkRequestSchema,
  AppendItemsRequest: AppendItemsRequestSchema,
  BenchmarkItemInput: BenchmarkItemInputSchema,
  Benchmark: BenchmarkViewSchema,
  BenchmarkPage: BenchmarkPageSchema,
  BenchmarkItem: BenchmarkItemSchema,
  BenchmarkItemPage: BenchmarkItemPageSchema,

  RegisterModelRequest: RegisterModelRequestSchema,
  Model: ModelSchema,
  ModelPage: ModelPageSchema,
  GenerationParameters: GenerationParametersSchema,
  Pricing: PricingSchema,

  Usage: UsageViewSchema,

  CreateWebhookRequest: CreateWebhookRequestSchema,
  Webhook: WebhookSchema,
  CreatedWebhook: CreatedWebhookSchema,
  WebhookPage: WebhookPageSchema,
  WebhookDelivery: WebhookDeliverySchema,
  WebhookDeliveryPage: WebhookDeliveryPageSchema,
};

export type SchemaName = keyof typeof namedSchemas;
