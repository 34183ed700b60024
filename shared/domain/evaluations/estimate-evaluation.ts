import type { Benchmark, BenchmarkItem } from '../../contracts/benchmarks/schemas.js';
import type { EstimateResponse, JudgeCallEstimate, ModelCallEstimate, OutputTokensEstimate } from '../../contracts/evaluations/estimate-schemas.js';
import { callCost } from '../../contracts/evaluations/result-types.js';
import type { CreateEvaluationRequest } from '../../contracts/evaluations/schemas.js';
import type { Model } from '../../contracts/models/schemas.js';
import { chunkWindow } from '../evaluator/chunk-window.js';
import { planChunks } from '../evaluator/plan.js';
import { repeatsOf } from '../evaluator/samples.js';
import { renderItem, sentText } from '../evaluator/render-conversation.js';
import type { JudgePrompt, ResolvedJudgeMetric, ResolvedPairwiseMetric, ScoreInput } from '../metrics/types.js';
import { resolveEvaluationModels } from '../models/model-service.js';
import type { BenchmarkStore } from '../ports/benchmark-store.js';
import type { CredentialCheck } from '../ports/credential-check.js';
import type { EvaluationStore } from '../ports/evaluation-store.js';
import { candidateRefs, checkMetricNames, resolveAgainstBenchmark } from './create-evaluation.js';
import type { JudgeResolutionDeps } from './judge-resolution.js';
import {
  addRanges,
  maxOutputTokens,
  promptTokens,
  roundUsd,
  scaleRange,
  TOKENISATION_DESCRIPTION,
  TOKENISATION_METHOD,
  type TokenRange,
  zeroRange,
} from './token-estimate.js';

export interface EstimateEvaluationDeps {
  evaluations: Pick<EvaluationStore, 'list'>;
  benchmarks: Pick<BenchmarkStore, 'get' | 'readRange'>;
  models: JudgeResolutionDeps['models'];
  credentials: CredentialCheck;
  defaultJudgeModelId?: string;
}

/** Benchmarks up to this many items have every prompt rendered; larger ones are sampled in windows. */
export const ESTIMATE_RENDERED_ITEMS = 2000;
const SAMPLE_WINDOWS = 20;
/** Recent completed evaluations of the tenant read for observed output lengths and latencies. */
export const HISTORY_EVALUATIONS = 25;
/** Latency assumed for a model with no completed evaluation in the tenant. */
export const ASSUMED_LATENCY_MS = 1000;
/** A verdict is one short JSON object (a score and a sentence or two): this many tokens a judge call. */
export const JUDGE_REPLY_TOKENS = 64;

/** What the tenant's completed evaluations say about one model. */
interface Observed {
  evaluations: number;
  calls: number;
  outputTokens: number;
  /** p50 of the newest evaluation that recorded one. */
  latencyMs?: number;
}

/** Recent completed evaluations, newest first, summed per model id. */
async function observedByModel(deps: EstimateEvaluationDeps, tenantId: string): Promise<Map<string, Observed>> {
  const page = await deps.evaluations.list(tenantId, { limit: HISTORY_EVALUATIONS, filter: { status: 'completed' } });
  const observed = new Map<string, Observed>();
  for (const evaluation of page.items) {
    // Cached answers count no tokens (docs/reliability.md "Response cache"): such a run's usage says nothing per call.
    if ((evaluation.cache_hits ?? 0) > 0) continue;
    for (const result of evaluation.results?.models ?? []) {
      if (result.completed_items === 0) continue;
      const entry = observed.get(result.model_id) ?? { evaluations: 0, calls: 0, outputTokens: 0 };
      entry.evaluations += 1;
      entry.calls += result.completed_items;
      entry.outputTokens += result.usage.output_tokens;
      entry.latencyMs ??= result.latency_ms.p50 ?? undefined;
      observed.set(result.model_id, entry);
    }
  }
  return observed;
}

/** Every item of a small benchmark; windows spread evenly over a large one, so the sample sees its whole length. */
async function itemsToRender(deps: EstimateEvaluationDeps, tenantId: string, benchmark: Benchmark): Promise<BenchmarkItem[]> {
  const total = benchmark.item_count;
  if (total <= ESTIMATE_RENDERED_ITEMS) return deps.benchmarks.readRange(tenantId, benchmark.benchmark_id, 0, total);
  const size = Math.floor(ESTIMATE_RENDERED_ITEMS / SAMPLE_WINDOWS);
  const step = Math.floor(total / SAMPLE_WINDOWS);
  const windows = await Promise.all(
    Array.from({ length: SAMPLE_WINDOWS }, (_, index) => deps.benchmarks.readRange(tenantId, benchmark.benchmark_id, index * step, size)),
  );
  return windows.flat();
}

// Stand-ins for the answers a judge will see, which do not exist yet: counted out of the rendered prompt,
// then added back at the answers' expected length. NUL never occurs in a prompt template.
const ANSWER_1 = '\u0000answer-1\u0000';
const ANSWER_2 = '\u0000answer-2\u0000';

const occurrences = (text: string, marker: string) => text.split(marker).length - 1;

/** A judge prompt's own tokens, and how many times it quotes each answer. */
function judgePromptParts(prompt: JudgePrompt): { tokens: TokenRange; answer1: number; answer2: number } {
  const both = `${prompt.system}\n${prompt.user}`;
  const strip = (text: string) => text.split(ANSWER_1).join('').split(ANSWER_2).join('');
  return {
    tokens: promptTokens(strip(prompt.system), strip(prompt.user)),
    answer1: occurrences(both, ANSWER_1),
    answer2: occurrences(both, ANSWER_2),
  };
}

/** Per metric and judged candidate: calls, the judge prompts' own tokens, and how many answers they quote. */
interface JudgeTally {
  calls: number;
  tokens: TokenRange;
  /** Quotations of each candidate's answer (by candidate index) over the calls. */
  quotes: number[];
}

const newTally = (candidates: number): JudgeTally => ({ calls: 0, tokens: zeroRange(), quotes: Array.from({ length: candidates }, () => 0) });

function sampleOf(item: BenchmarkItem, output: string): ScoreInput {
  return { output, input: item.input, expected: item.expected, choices: item.choices, context: item.context, metadata: item.metadata };
}

interface Rendered {
  /** Per candidate: its prompts' tokens. */
  candidates: TokenRange[];
  /** Per judged or pairwise metric name. */
  metrics: Map<string, JudgeTally>;
}

function renderAll(
  benchmark: Benchmark,
  items: readonly BenchmarkItem[],
  models: readonly Model[],
  judged: readonly ResolvedJudgeMetric[],
  pairwise: readonly ResolvedPairwiseMetric[],
): Rendered {
  const candidates = models.map(() => zeroRange());
  const metrics = new Map<string, JudgeTally>([...judged, ...pairwise].map((metric) => [metric.name, newTally(models.length)]));
  for (const item of items) {
    // Everything the model is sent: a chat item's whole conversation and system text, not only its last turn.
    const prompt = sentText(renderItem(benchmark, item));
    models.forEach((model, index) => {
      candidates[index] = addRanges(candidates[index]!, promptTokens(model.parameters?.system_prompt, prompt));
    });
    for (const metric of judged) {
      const tally = metrics.get(metric.name)!;
      // One judge call per candidate's answer, when the metric applies to the item (answers are stand-ins).
      for (let index = 0; index < models.length; index++) {
        const judgePrompt = metric.buildPrompt(sampleOf(item, ANSWER_1));
        if (!judgePrompt) continue;
        const parts = judgePromptParts(judgePrompt);
        tally.calls += 1;
        tally.tokens = addRanges(tally.tokens, parts.tokens);
        tally.quotes[index] = (tally.quotes[index] ?? 0) + parts.answer1;
      }
    }
    if (models.length < 2) continue;
    for (const metric of pairwise) {
      const tally = metrics.get(metric.name)!;
      const prompts = metric.buildPrompts(item, { model_1: ANSWER_1, model_2: ANSWER_2 });
      for (const judgePrompt of [prompts.model_1_first, prompts.model_2_first]) {
        const parts = judgePromptParts(judgePrompt);
        tally.calls += 1;
        tally.tokens = addRanges(tally.tokens, parts.tokens);
        tally.quotes[0] = (tally.quotes[0] ?? 0) + parts.answer1;
        tally.quotes[1] = (tally.quotes[1] ?? 0) + parts.answer2;
      }
    }
  }
  return { candidates, metrics };
}

/**
 * The judge as its calls will run: a score_model grader's sampling_params may set the calls' max tokens
 * above or below the judge's own, and the bound must hold for every call, so the largest one counts.
 */
function judgeAsCalled(judge: Model, metrics: readonly (ResolvedJudgeMetric | ResolvedPairwiseMetric)[]): Pick<Model, 'parameters'> {
  const own = maxOutputTokens(judge).perCall;
  const perMetric = metrics.map((metric) => (metric.kind === 'judge' ? metric.sampling?.max_tokens : undefined));
  if (perMetric.every((value) => value === undefined)) return judge;
  return { parameters: { ...judge.parameters, max_tokens: Math.max(...perMetric.map((value) => value ?? own)) } };
}

/** Output figures of `calls` calls of a model: its max_tokens bound, and its observed mean where there is one. */
export function outputEstimate(
  model: Pick<Model, 'parameters'>,
  calls: number,
  observed: Observed | undefined,
  fallbackPerCall?: number,
): OutputTokensEstimate {
  const max = maxOutputTokens(model);
  const bound = calls * max.perCall;
  const mean = observed && observed.calls > 0 ? observed.outputTokens / observed.calls : undefined;
  const observedBased = mean === undefined ? null : Math.round(calls * Math.min(mean, max.perCall));
  const fallback = fallbackPerCall === undefined ? bound : calls * Math.min(fallbackPerCall, max.perCall);
  return {
    max_tokens_per_call: max.perCall,
    max_tokens_source: max.source,
    max_tokens_bound: bound,
    observed_mean_per_call: mean === undefined ? null : Math.round(mean * 100) / 100,
    observed_based: observedBased,
    observed_from: observed && mean !== undefined ? { evaluations: observed.evaluations, calls: observed.calls } : null,
    expected: observedBased ?? fallback,
  };
}

/**
 * The cost range of a model's calls: low pairs the low input with the observed output (none without
 * history), expected the expected figures, high the high input with every call at max_tokens.
 */
export function costRange(
  model: Pick<Model, 'pricing' | 'provider' | 'model_id'>,
  input: TokenRange,
  output: OutputTokensEstimate,
): Pick<ModelCallEstimate, 'cost_usd' | 'cost_note'> {
  if (model.provider === 'baseline') {
    return { cost_usd: { low: 0, expected: 0, high: 0 }, cost_note: 'a baseline answers in-process: no provider call, no cost' };
  }
  if (!model.pricing) {
    return {
      cost_usd: null,
      cost_note: `${model.model_id} has no pricing: register it with "pricing": {"input_per_million": …, "output_per_million": …} to see its cost`,
    };
  }
  const cost = (inputTokens: number, outputTokens: number) =>
    roundUsd(callCost(model, { input_tokens: inputTokens, output_tokens: outputTokens }) ?? 0);
  return {
    cost_usd: {
      low: cost(input.low, output.observed_based ?? 0),
      expected: cost(input.expected, output.expected),
      high: cost(input.high, output.max_tokens_bound),
    },
  };
}

/** How long the model calls take at the concurrency available. */
function durationEstimate(
  itemCount: number,
  samplesPerItem: number,
  entries: { model: Model; calls: number }[],
  observed: Map<string, Observed>,
  chainLatencyMs: number,
): EstimateResponse['duration'] {
  const plan = planChunks(itemCount, undefined, undefined, Math.round(samplesPerItem));
  // An evaluation has at most its window of chunks in flight (fair scheduling), whatever the instances.
  const parallel = Math.min(chunkWindow(), plan.chunk_count);
  const byModel = new Map<string, { model: Model; calls: number }>();
  for (const entry of entries) {
    const known = byModel.get(entry.model.model_id);
    byModel.set(entry.model.model_id, { model: entry.model, calls: (known?.calls ?? 0) + entry.calls });
  }
  const models = [...byModel.values()].map(({ model, calls }) => {
    const latency = latencyOf(model, observed);
    return { model_id: model.model_id, calls, max_concurrency: model.max_concurrency, latency_ms: latency.ms, latency_source: latency.source };
  });
  let low = chainLatencyMs / 1000;
  let high = chainLatencyMs / 1000;
  let bottleneck: string | null = null;
  let slowest = 0;
  for (const model of models) {
    // max_concurrency and requests_per_minute hold across the deployment: the model's calls cannot go faster.
    const atConcurrency = (model.calls * model.latency_ms) / 1000 / model.max_concurrency;
    const rpm = byModel.get(model.model_id)!.model.requests_per_minute;
    const atRate = rpm ? (model.calls / rpm) * 60 : 0;
    const floor = Math.max(atConcurrency, atRate);
    // The window's chunks share the slots; each chunk ends with its last calls, so chunk by chunk is the slow case.
    const perChunkCalls = Math.ceil(model.calls / plan.chunk_count);
    const slotsPerChunk = Math.max(1, Math.floor(model.max_concurrency / parallel));
    const chunkSeconds = (Math.ceil(perChunkCalls / slotsPerChunk) * model.latency_ms) / 1000;
    const windowed = Math.max(floor, Math.ceil(plan.chunk_count / parallel) * chunkSeconds);
    if (floor > slowest) {
      slowest = floor;
      bottleneck = model.model_id;
    }
    low = Math.max(low, floor);
    high = Math.max(high, windowed);
  }
  const round = (seconds: number) => Math.round(seconds * 10) / 10;
  return {
    low_seconds: round(low),
    high_seconds: round(high),
    chunk_size: plan.chunk_size,
    chunk_count: plan.chunk_count,
    parallel_chunks: parallel,
    bottleneck_model_id: bottleneck,
    models,
  };
}

function latencyOf(model: Model, observed: Map<string, Observed>): { ms: number; source: 'observed_p50' | 'assumed' | 'baseline' } {
  if (model.provider === 'baseline') return { ms: 0, source: 'baseline' };
  const seen = observed.get(model.model_id)?.latencyMs;
  return seen === undefined ? { ms: ASSUMED_LATENCY_MS, source: 'assumed' } : { ms: seen, source: 'observed_p50' };
}

/**
 * What an evaluation with this create body would call, how many tokens and dollars that is, and how long
 * it would take, resolved exactly as create resolves it (same 422s) and without writing anything: no
 * record, no message, no idempotency record, no benchmark pin.
 */
export async function estimateEvaluation(
  deps: EstimateEvaluationDeps,
  tenantId: string,
  request: CreateEvaluationRequest,
): Promise<EstimateResponse> {
  checkMetricNames(request);
  const benchmarkRead = deps.benchmarks.get(tenantId, request.benchmark_id);
  benchmarkRead.catch(() => undefined);
  const models = await resolveEvaluationModels(deps.models, deps.credentials, tenantId, candidateRefs(request));
  const { benchmark, metrics, judges } = await resolveAgainstBenchmark(deps, tenantId, request, models, await benchmarkRead);

  const [items, observed] = await Promise.all([itemsToRender(deps, tenantId, benchmark), observedByModel(deps, tenantId)]);
  // Every sample is a call: the sampled items' own counts (`metadata.repeats`) stand for the benchmark's.
  const samplesPerItem = items.length === 0 ? (request.repeats ?? 1) : items.reduce((sum, item) => sum + repeatsOf(request, item), 0) / items.length;
  const factor = items.length === 0 ? 0 : (benchmark.item_count / items.length) * samplesPerItem;
  const judged = metrics.filter((metric): metric is ResolvedJudgeMetric => metric.kind === 'judge');
  const pairwise = metrics.filter((metric): metric is ResolvedPairwiseMetric => metric.kind === 'pairwise');
  const rendered = renderAll(benchmark, items, models, judged, pairwise);

  const candidateEstimates: ModelCallEstimate[] = models.map((model, index) => {
    const calls = Math.round(benchmark.item_count * samplesPerItem);
    const input = scaleRange(rendered.candidates[index]!, factor);
    const output = outputEstimate(model, calls, observed.get(model.model_id));
    return { model_id: model.model_id, calls, input_tokens: input, output_tokens: output, ...costRange(model, input, output) };
  });
  // The length of each candidate's answer as a judge reads it: low observed (none without history), high max_tokens.
  const answerLength = candidateEstimates.map((estimate) => ({
    low: (estimate.output_tokens.observed_based ?? 0) / Math.max(1, estimate.calls),
    expected: estimate.output_tokens.expected / Math.max(1, estimate.calls),
    high: estimate.output_tokens.max_tokens_per_call,
  }));

  const judgeEstimates: JudgeCallEstimate[] = judges.judge_models.map((judge) => {
    const mine = [...judged, ...pairwise].filter((metric) => judges.judges[metric.name] === judge.model_id);
    let input = zeroRange();
    let sampledCalls = 0;
    for (const metric of mine) {
      const tally = rendered.metrics.get(metric.name)!;
      sampledCalls += tally.calls;
      input = addRanges(input, tally.tokens);
      tally.quotes.forEach((quotes, index) => {
        const length = answerLength[index]!;
        input = addRanges(input, { low: quotes * length.low, expected: quotes * length.expected, high: quotes * length.high });
      });
    }
    const calls = Math.round(sampledCalls * factor);
    const scaled = scaleRange(input, factor);
    const output = outputEstimate(judgeAsCalled(judge, mine), calls, undefined, JUDGE_REPLY_TOKENS);
    return {
      judge_model_id: judge.model_id,
      metrics: mine.map((metric) => ({
        name: metric.name,
        kind: metric.kind as 'judge' | 'pairwise',
        calls: Math.round(rendered.metrics.get(metric.name)!.calls * factor),
      })),
      calls,
      input_tokens: scaled,
      output_tokens: output,
      ...costRange(judge, scaled, output),
    };
  });

  const all = [
    ...candidateEstimates.map((estimate, index) => ({ estimate, model: models[index]! })),
    ...judgeEstimates.map((estimate, index) => ({ estimate, model: judges.judge_models[index]! })),
  ];
  const priced = all.filter(({ estimate }) => estimate.cost_usd !== null);
  const sumUsd = (pick: (range: { low: number; expected: number; high: number }) => number) =>
    roundUsd(priced.reduce((sum, { estimate }) => sum + pick(estimate.cost_usd!), 0));
  const latency = (model: Model) => latencyOf(model, observed).ms;
  // One item's calls follow each other (answer, then its judges, then the pairwise judge): no run is shorter.
  const judgeLatency = (kind: 'judge' | 'pairwise') =>
    Math.max(0, ...judges.judge_models.filter((_, index) => judgeEstimates[index]!.metrics.some((metric) => metric.kind === kind)).map(latency));
  const chainMs = Math.max(0, ...models.map(latency)) + judgeLatency('judge') + judgeLatency('pairwise');
  return {
    benchmark_id: benchmark.benchmark_id,
    benchmark_version: benchmark.version,
    item_count: benchmark.item_count,
    items_rendered: items.length,
    tokenisation: { method: TOKENISATION_METHOD, description: TOKENISATION_DESCRIPTION },
    models: candidateEstimates,
    judges: judgeEstimates,
    totals: {
      calls: all.reduce((sum, { estimate }) => sum + estimate.calls, 0),
      input_tokens: all.reduce((sum, { estimate }) => addRanges(sum, estimate.input_tokens), zeroRange()),
      output_tokens: {
        max_tokens_bound: all.reduce((sum, { estimate }) => sum + estimate.output_tokens.max_tokens_bound, 0),
        expected: all.reduce((sum, { estimate }) => sum + estimate.output_tokens.expected, 0),
      },
      cost_usd: priced.length === 0 ? null : { low: sumUsd((r) => r.low), expected: sumUsd((r) => r.expected), high: sumUsd((r) => r.high) },
      cost_complete: priced.length === all.length,
      unpriced_models: [...new Set(all.filter(({ estimate }) => estimate.cost_usd === null).map(({ model }) => model.model_id))],
    },
    duration: durationEstimate(
      benchmark.item_count,
      samplesPerItem,
      all.map(({ estimate, model }) => ({ model, calls: estimate.calls })),
      observed,
      chainMs,
    ),
    assumptions: assumptionsOf(
      benchmark,
      items.length,
      judgeEstimates.length > 0,
      models.some((model) => !observed.has(model.model_id)),
    ),
  };
}

function assumptionsOf(benchmark: Benchmark, rendered: number, judging: boolean, withoutHistory: boolean): string[] {
  return [
    'Every item is answered once by each model; retries of throttled or failed calls add calls and tokens.',
    ...(rendered < benchmark.item_count
      ? [
          `The prompts of ${rendered} of ${benchmark.item_count} items (${SAMPLE_WINDOWS} evenly spaced windows) were rendered and counted; the rest is extrapolated from them.`,
        ]
      : []),
    `Tokens are estimated with ${TOKENISATION_METHOD}, not a provider's tokeniser: ${TOKENISATION_DESCRIPTION}`,
    ...(withoutHistory
      ? [
          'A model without a completed evaluation in this tenant has no observed output length: its expected output is every call at max_tokens, its low none.',
        ]
      : []),
    ...(judging
      ? [
          'Judged metrics call their judge once per answer they apply to and pairwise metrics twice per item (both orders), assuming every answer is scored.',
          "Judge prompts quote the candidates' answers at their expected length: low the observed mean (none without history), high max_tokens.",
          `Judge calls' usage is not recorded per call, so a judge's expected output is ${JUDGE_REPLY_TOKENS} tokens a call (one short JSON verdict), bounded by its max_tokens.`,
        ]
      : []),
    `Latency is each model's p50 in its newest completed evaluation in this tenant, else ${ASSUMED_LATENCY_MS} ms a call.`,
    `Duration counts model calls only (queueing, scoring and writes add a few seconds). low: every model's calls run at its max_concurrency (and requests_per_minute), which hold across the deployment; high: the evaluation's window of chunks in flight runs chunk by chunk, each chunk ending with its slowest calls.`,
  ];
}
