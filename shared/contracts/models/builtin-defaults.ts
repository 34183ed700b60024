/**
 * Defaults of the built-in catalogue (`shared/domain/models/builtin-models.ts`) that the CDK app and the
 * local stack also need: they live here, not in the domain, because infra may import only contracts.
 */

/**
 * The deployment's judge when neither the metric nor the request names one: cheap, fast, and on Bedrock,
 * so it needs no provider key. Deployments override it with the CDK context `defaultJudgeModel`.
 */
export const DEFAULT_JUDGE_MODEL_ID = 'anthropic.claude-3-haiku-20240307-v1:0';
