import { UnprocessableEntityError } from '../errors.js';
import type { ResolvedMetric } from '../metrics/types.js';
import type { CredentialCheck } from '../ports/credential-check.js';
import { findModel } from '../models/model-service.js';
import type { Model } from '../../contracts/models/schemas.js';

/** The judge of each judged metric, resolved at creation and snapshotted like the candidate models. */
export interface ResolvedJudges {
  /** Metric name → judge model id. */
  judges: Record<string, string>;
  /** Each judge model once, as it was when the evaluation was created. */
  judge_models: Model[];
}

export interface JudgeResolutionDeps {
  models: {
    get(tenantId: string, modelId: string): Promise<Model | undefined>;
    /** The tenant's default judge: a registered model marked `default_judge`. */
    defaultJudge?(tenantId: string): Promise<string | undefined>;
  };
  credentials: CredentialCheck;
  /** `ARBITER_DEFAULT_JUDGE_MODEL`: the deployment's judge. */
  defaultJudgeModelId?: string;
}

/** Where a metric sits in the request, for the 422's field path. */
export type MetricPath = (metric: string) => string;

const howToFix =
  'set judge_model_id in an llm_judge configuration (or model in an OpenAI grader), register a model with "default_judge": true, ' +
  'or give the deployment a default judge ' +
  '(CDK context defaultJudgeModel; ARBITER_DEFAULT_JUDGE_MODEL on the local stack)';

/**
 * The judge model of every judged and pairwise metric: the metric's own configuration, else the
 * tenant's default judge, else the deployment's default. A metric with no judge, or
 * whose judge is neither registered nor built in, answers 422 `judge_model_missing` naming the metric,
 * so nothing is queued that could only fail.
 */
export async function resolveJudges(
  deps: JudgeResolutionDeps,
  tenantId: string,
  metrics: readonly ResolvedMetric[],
  pathOf: MetricPath,
): Promise<ResolvedJudges> {
  const judges: Record<string, string> = {};
  const models = new Map<string, Model>();
  let tenantDefault: Promise<string | undefined> | undefined;
  for (const metric of metrics) {
    if (metric.kind === 'computed') continue;
    const configured = metric.kind === 'judge' ? metric.judgeModelId : undefined;
    tenantDefault ??= deps.models.defaultJudge?.(tenantId) ?? Promise.resolve(undefined);
    const modelId = configured ?? (await tenantDefault) ?? deps.defaultJudgeModelId;
    const path = pathOf(metric.name);
    if (!modelId) {
      throw new UnprocessableEntityError('judge_model_missing', `Metric ${metric.name} needs a judge model and none is configured: ${howToFix}`, [
        { path, message: 'no judge model configured for this metric' },
      ]);
    }
    const model = models.get(modelId) ?? (await findModel(deps.models, tenantId, modelId));
    if (!model) {
      const origin = configured ? 'its configuration names' : 'the default judge is';
      throw new UnprocessableEntityError(
        'judge_model_missing',
        `Metric ${metric.name} cannot be judged: ${origin} ${modelId}, which is neither registered nor built in. Register it with POST /api/v3/models, or ${howToFix}`,
        [{ path, message: `unknown judge model ${modelId}` }],
      );
    }
    if (!models.has(modelId) && !model.builtin) {
      const problem = await deps.credentials.problem(model, tenantId);
      if (problem) {
        throw new UnprocessableEntityError(
          'model_credentials_missing',
          `The credentials of judge model ${modelId} (metric ${metric.name}) are not usable: ${problem}`,
          [{ path, message: problem }],
        );
      }
    }
    models.set(modelId, model);
    judges[metric.name] = modelId;
  }
  return { judges, judge_models: [...models.values()] };
}
