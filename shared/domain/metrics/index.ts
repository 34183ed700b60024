/** The metric library the evaluator uses; docs/metrics.md lists every metric (generated from the registry). */
export {
  builtinMetrics,
  type ContainsParams,
  type ExactMatchParams,
  type JsonSchemaParams,
  type RegexParams,
  type RougeParams,
} from './builtin-metrics.js';
export { corpusBleu, sentenceBleu, type BleuOptions, type BleuResult } from './lexical/bleu.js';
export { corpusChrf, sentenceChrf, type ChrfResult } from './lexical/chrf.js';
export { normaliseJudgeScore, parseJudgeScore, type JudgeFailure, type JudgeScore } from './judge/parse-score.js';
export {
  parsePairwiseReply,
  reconcilePairwise,
  type PairwiseFailure,
  type PairwiseOutcome,
  type PairwiseReply,
  type PairwiseVerdict,
  type Preference,
} from './judge/pairwise.js';
export { renderJudgePrompt, renderPairwisePrompts } from './judge/render.js';
export { defaultJudgeScale, judgeTemplates, pairwiseTemplate, type JudgeTemplate, type PairwiseTemplate } from './judge/templates.js';
export {
  configurableMetrics,
  defaultMetricsByTaskType,
  resolveMetrics,
  type ConfigurableMetricDoc,
  type MetricDefaults,
} from './registry.js';
export { MetricResolutionError, type MetricErrorCode } from './errors.js';
export type * from './types.js';
