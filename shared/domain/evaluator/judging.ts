import type { Evaluation } from '../../contracts/evaluations/schemas.js';
import { callCost, type Judgement, type PairwiseJudgement, type TokenUsage } from '../../contracts/evaluations/result-types.js';
import { logger } from '../../platform/logger.js';
import type { PairwiseReply } from '../metrics/judge/pairwise.js';
import type {
  JudgePrompt,
  PairwiseItem,
  PairwiseOutputs,
  ResolvedJudgeMetric,
  ResolvedMetric,
  JudgeSampling,
  ResolvedPairwiseMetric,
  ScoreInput,
} from '../metrics/types.js';
import type { Model } from '../../contracts/models/schemas.js';
import { type GenerateResult, ProviderError } from '../ports/model-client.js';
import { BudgetExhaustedError, judgeUsage } from './budget.js';
import { withModelSlot } from './concurrency.js';
import type { TenantModelClients } from './deps.js';

/** Rationales are kept for people to read; a judge that writes an essay must not bloat every result row. */
const MAX_RATIONALE_CHARS = 2000;

/** The evaluation's judged and pairwise metrics with the judge models resolved at creation. */
export interface JudgePlan {
  /** Whose judge calls these are: limiters are per tenant. */
  tenantId: string;
  judged: { metric: ResolvedJudgeMetric; judge?: Model }[];
  pairwise: { metric: ResolvedPairwiseMetric; judge?: Model }[];
}

export function judgePlan(evaluation: Pick<Evaluation, 'tenant_id' | 'judges' | 'judge_models'>, metrics: readonly ResolvedMetric[]): JudgePlan {
  const judgeOf = (name: string) => evaluation.judge_models?.find((model) => model.model_id === evaluation.judges?.[name]);
  const plan: JudgePlan = { tenantId: evaluation.tenant_id, judged: [], pairwise: [] };
  for (const metric of metrics) {
    if (metric.kind === 'judge') plan.judged.push({ metric, judge: judgeOf(metric.name) });
    if (metric.kind === 'pairwise') plan.pairwise.push({ metric, judge: judgeOf(metric.name) });
  }
  return plan;
}

type JudgeDeps = TenantModelClients;

/**
 * One judge call, under the judge model's own concurrency limit in this tenant (shared with its use as a
 * candidate, as the provider's limits are). The template's system prompt replaces the model's own, which was written
 * for answering; temperature defaults to 0 so that judging is as repeatable as the provider allows.
 */
async function callJudge(
  deps: JudgeDeps,
  tenantId: string,
  judge: Model,
  prompt: JudgePrompt,
  signal: AbortSignal,
  sampling: JudgeSampling = {},
): Promise<GenerateResult> {
  return withModelSlot(tenantId, judge, () =>
    deps.clientFor(judge).generate({
      prompt: prompt.user,
      // A metric's own sampling (score_model's sampling_params) is what its author tuned the grader with.
      parameters: { temperature: 0, ...judge.parameters, ...sampling, system_prompt: prompt.system },
      // The verdict is read from the whole reply as one JSON object; JSON mode makes that the reply's shape.
      responseFormat: 'json',
      timeoutMs: judge.timeout_ms,
      signal,
    }),
  );
}

/** What judge calls used and cost, as a judgement keeps it (no cost when the judge has no pricing). */
function spendOf(judge: Model, results: readonly GenerateResult[]): { usage?: TokenUsage; cost_usd?: number } {
  if (results.length === 0) return {};
  const usage: TokenUsage = { input_tokens: 0, output_tokens: 0 };
  for (const result of results) {
    const one = judgeUsage(result.usage);
    usage.input_tokens += one.input_tokens;
    usage.output_tokens += one.output_tokens;
  }
  const cost = callCost(judge, usage);
  return { usage, ...(cost === undefined ? {} : { cost_usd: cost }) };
}

/** Why a judge call failed, as stored on the item. Never thrown: a judge failure only excludes the item from the metric. */
function callFailure(error: unknown, signal: AbortSignal, context: Record<string, unknown>): { code: string; message: string } {
  if (signal.aborted) return { code: 'cancelled', message: 'the evaluation was cancelled before the judge answered' };
  if (error instanceof BudgetExhaustedError) return error.toJSON();
  if (error instanceof ProviderError) return { code: error.code, message: error.message };
  logger.error('judge call failed unexpectedly', { ...context, error: error as Error });
  return { code: 'judge_error', message: 'the judge call failed unexpectedly' };
}

const rationale = (text: string | undefined) => (text === undefined ? {} : { rationale: text.slice(0, MAX_RATIONALE_CHARS) });

const missingJudge = { code: 'judge_model_missing', message: 'no judge model was resolved for this metric when the evaluation was created' };

async function judgeOne(
  deps: JudgeDeps,
  tenantId: string,
  metric: ResolvedJudgeMetric,
  judge: Model | undefined,
  sample: ScoreInput,
  signal: AbortSignal,
): Promise<Judgement | undefined> {
  const prompt = metric.buildPrompt(sample);
  // The metric does not apply to this item (say, faithfulness without a context): no call, no judgement.
  if (!prompt) return undefined;
  const base = { judge_model_id: judge?.model_id ?? metric.judgeModelId ?? '', template_id: metric.templateId };
  if (!judge) return { ...base, score: null, error: missingJudge };
  let reply: GenerateResult;
  try {
    reply = await callJudge(deps, tenantId, judge, prompt, signal, metric.sampling);
  } catch (error) {
    return { ...base, score: null, error: callFailure(error, signal, { metric: metric.name, judge_model_id: judge.model_id }) };
  }
  const spend = spendOf(judge, [reply]);
  const parsed = metric.parseReply(reply.text);
  if (!parsed.ok) return { ...base, score: null, error: { code: parsed.failure, message: parsed.message }, ...spend };
  return { ...base, score: parsed.score, raw: parsed.label ?? parsed.raw, ...rationale(parsed.rationale), ...spend };
}

/** Every judged metric's verdict on one answer, judged concurrently. */
export async function judgeAnswer(deps: JudgeDeps, plan: JudgePlan, sample: ScoreInput, signal: AbortSignal): Promise<Record<string, Judgement>> {
  const verdicts = await Promise.all(
    plan.judged.map(async ({ metric, judge }) => [metric.name, await judgeOne(deps, plan.tenantId, metric, judge, sample, signal)] as const),
  );
  return Object.fromEntries(verdicts.filter((entry): entry is readonly [string, Judgement] => entry[1] !== undefined));
}

async function pairwiseOne(
  deps: JudgeDeps,
  tenantId: string,
  metric: ResolvedPairwiseMetric,
  judge: Model | undefined,
  item: PairwiseItem,
  outputs: PairwiseOutputs,
  signal: AbortSignal,
): Promise<PairwiseJudgement> {
  const base = { judge_model_id: judge?.model_id ?? '', template_id: metric.templateId };
  if (!judge) return { ...base, preferred: null, score: null, flipped: false, error: missingJudge };
  const prompts = metric.buildPrompts(item, outputs);
  // Both orders are called even if one fails, so that what the other used is kept with the verdict.
  const calls = await Promise.allSettled([
    callJudge(deps, tenantId, judge, prompts.model_1_first, signal),
    callJudge(deps, tenantId, judge, prompts.model_2_first, signal),
  ]);
  const spend = spendOf(
    judge,
    calls.flatMap((call) => (call.status === 'fulfilled' ? [call.value] : [])),
  );
  const failed = (error: { code: string; message: string }): PairwiseJudgement => ({
    ...base,
    preferred: null,
    score: null,
    flipped: false,
    error,
    ...spend,
  });
  const [firstCall, secondCall] = calls;
  if (firstCall.status === 'rejected' || secondCall.status === 'rejected') {
    const reason: unknown = firstCall.status === 'rejected' ? firstCall.reason : secondCall.status === 'rejected' ? secondCall.reason : undefined;
    return failed(callFailure(reason, signal, { metric: metric.name, judge_model_id: judge.model_id }));
  }
  const replies: [PairwiseReply, PairwiseReply] = [metric.parseReply(firstCall.value.text), metric.parseReply(secondCall.value.text)];
  const [first, second] = replies;
  // Both orders are needed to cancel position bias; one order alone is no verdict.
  if (!first.ok) return failed({ code: first.failure, message: `model 1 first: ${first.message}` });
  if (!second.ok) return failed({ code: second.failure, message: `model 2 first: ${second.message}` });
  const outcome = metric.reconcile(first.verdict, second.verdict);
  const rationales = {
    ...(first.rationale ? { model_1_first: first.rationale.slice(0, MAX_RATIONALE_CHARS) } : {}),
    ...(second.rationale ? { model_2_first: second.rationale.slice(0, MAX_RATIONALE_CHARS) } : {}),
  };
  return {
    ...base,
    preferred: outcome.preferred,
    score: outcome.score,
    flipped: outcome.flipped,
    ...(Object.keys(rationales).length > 0 ? { rationale: rationales } : {}),
    ...spend,
  };
}

/** Every pairwise metric's verdict on the two models' answers to one item. */
export async function judgePair(
  deps: JudgeDeps,
  plan: JudgePlan,
  item: PairwiseItem,
  outputs: PairwiseOutputs,
  signal: AbortSignal,
): Promise<Record<string, PairwiseJudgement>> {
  const verdicts = await Promise.all(
    plan.pairwise.map(
      async ({ metric, judge }) => [metric.name, await pairwiseOne(deps, plan.tenantId, metric, judge, item, outputs, signal)] as const,
    ),
  );
  return Object.fromEntries(verdicts);
}
