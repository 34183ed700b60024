import type { TaskType } from '../../contracts/benchmarks/task-types.js';
import { builtinMetrics, containsMetric, exactMatchMetric, jsonSchemaMetric, regexMetric, toolArgumentsMatchMetric } from './builtin-metrics.js';
import { isKnownMetricName, type MetricName, type MetricType } from '../../contracts/metrics/metric-names.js';
import { MetricResolutionError } from './errors.js';
export { MetricResolutionError, type MetricErrorCode } from './errors.js';
import { graderDocs, resolveGrader } from './graders/openai-graders.js';
import { parseJudgeScore } from './judge/parse-score.js';
import { parsePairwiseReply, reconcilePairwise } from './judge/pairwise.js';
import { renderJudgePrompt, renderPairwisePrompts } from './judge/render.js';
import { defaultJudgeScale, judgeTemplates, type JudgeTemplate } from './judge/templates.js';
import { compileMetricRegex, PatternError } from './lexical/regex.js';
import { compileJsonSchema, JsonSchemaError } from './structured/json.js';
import type {
  ComputedMetricDefinition,
  MetricConfig,
  MetricConfigOf,
  MetricKind,
  MetricRange,
  MetricSource,
  ParameterDoc,
  ResolvedComputedMetric,
  ResolvedJudgeMetric,
  ResolvedMetric,
  ResolvedPairwiseMetric,
} from './types.js';

/** Metrics when neither the request nor the benchmark names any. */
export const defaultMetricsByTaskType: Record<TaskType, readonly MetricName[]> = {
  exact_answer: ['exact_match'],
  multiple_choice: ['accuracy'],
  free_text: ['rouge_l', 'token_f1'],
  classification: ['exact_match'],
};

/** What a configuration type produces, for docs/metrics.md. */
export interface ConfigurableMetricDoc {
  type: MetricType;
  kind: MetricKind;
  description: string;
  range: MetricRange;
  higherIsBetter: boolean;
  binary: boolean;
  parameters: readonly ParameterDoc[];
}

export const configurableMetrics: Record<MetricType, ConfigurableMetricDoc> = {
  regex: { type: 'regex', ...docOf(regexMetric) },
  contains: {
    type: 'contains',
    ...docOf(containsMetric),
    description: 'Output contains the configured value.',
    parameters: [
      { name: 'value', type: 'string', description: 'Text to look for.' },
      { name: 'case_sensitive', type: 'boolean', default: 'true', description: 'Match letter case exactly.' },
    ],
  },
  exact_match: { type: 'exact_match', ...docOf(exactMatchMetric), description: 'Exact match with the normalisation steps chosen.' },
  json_schema: { type: 'json_schema', ...docOf(jsonSchemaMetric) },
  tool_arguments_match: { type: 'tool_arguments_match', ...docOf(toolArgumentsMatchMetric) },
  llm_judge: {
    type: 'llm_judge',
    kind: 'judge',
    description: `A judge model rates the answer against a custom rubric on the configured scale, normalised to 0–1 (template \`${judgeTemplates.rubric.id}\`).`,
    range: [0, 1],
    higherIsBetter: true,
    binary: false,
    parameters: [
      { name: 'rubric', type: 'string', description: 'What a good answer does; shown to the judge.' },
      {
        name: 'judge_model_id',
        type: 'string',
        default: "the deployment's default judge",
        description: 'Model that judges (registered or built in).',
      },
      {
        name: 'scale',
        type: '[low, high] integers',
        default: `[${defaultJudgeScale[0]}, ${defaultJudgeScale[1]}]`,
        description: 'Scale the judge scores on.',
      },
    ],
  },
  ...graderDocs,
};

function docOf(definition: ComputedMetricDefinition<never>): Omit<ConfigurableMetricDoc, 'type'> {
  const { kind, description, range, higherIsBetter, binary, parameters } = definition;
  return { kind, description, range, higherIsBetter, binary, parameters };
}

export interface MetricDefaults {
  /** The benchmark's `default_metrics`, used when the request names none. */
  benchmarkDefaults?: readonly string[];
  taskType: TaskType;
}

/**
 * The metrics an evaluation runs: the request's `custom_metrics` if any, else the benchmark's defaults,
 * else the task type's. Names become built-ins, configuration objects become instances carrying their
 * parameters (regular expressions and JSON Schemas compiled here, so a bad one fails the evaluation at
 * its start, not on every item). Judge and pairwise metrics come back as such: the evaluator calls the
 * judge model with their prompts and scores the replies with their parsers. A name given twice is kept
 * once. Throws MetricResolutionError for an unknown name or an unusable configuration.
 */
export function resolveMetrics(customMetrics: readonly (string | MetricConfig)[] | undefined, defaults: MetricDefaults): ResolvedMetric[] {
  const requested: readonly (string | MetricConfig)[] =
    customMetrics && customMetrics.length > 0
      ? customMetrics
      : defaults.benchmarkDefaults && defaults.benchmarkDefaults.length > 0
        ? defaults.benchmarkDefaults
        : defaultMetricsByTaskType[defaults.taskType];
  const resolved = new Map<string, ResolvedMetric>();
  for (const metric of requested) {
    const name = typeof metric === 'string' ? metric : metric.name;
    if (!resolved.has(name)) resolved.set(name, typeof metric === 'string' ? resolveName(metric) : resolveConfig(metric));
  }
  return [...resolved.values()];
}

function resolveName(name: string): ResolvedMetric {
  if (!isKnownMetricName(name)) throw new MetricResolutionError('unknown_metric', name, `unknown metric ${name}`);
  const definition = builtinMetrics[name];
  const source: MetricSource = { kind: 'builtin', metric: name };
  const { description, range, higherIsBetter, binary } = definition;
  const traits = { name, description, range, higherIsBetter, binary, source };
  switch (definition.kind) {
    case 'computed':
      return { ...traits, kind: 'computed', score: (sample) => definition.score(sample) };
    case 'judge':
      return judgeMetric(traits, definition.template, defaultJudgeScale);
    case 'pairwise':
      return pairwiseMetric(traits, definition.templateId);
  }
}

type Traits = Omit<ResolvedComputedMetric, 'kind' | 'score'>;

function judgeMetric(
  traits: Traits,
  template: JudgeTemplate,
  scale: readonly [number, number],
  rubric?: string,
  judgeModelId?: string,
): ResolvedJudgeMetric {
  return {
    ...traits,
    kind: 'judge',
    templateId: template.id,
    scale,
    ...(judgeModelId === undefined ? {} : { judgeModelId }),
    buildPrompt: (sample) => renderJudgePrompt(template, sample, scale, rubric),
    parseReply: (reply) => parseJudgeScore(reply, scale),
  };
}

function pairwiseMetric(traits: Traits, templateId: string): ResolvedPairwiseMetric {
  return {
    ...traits,
    kind: 'pairwise',
    templateId,
    buildPrompts: renderPairwisePrompts,
    parseReply: parsePairwiseReply,
    reconcile: reconcilePairwise,
  };
}

function configured<TParams>(
  config: MetricConfig,
  definition: ComputedMetricDefinition<TParams>,
  params: TParams,
  description: string,
): ResolvedComputedMetric {
  const { range, higherIsBetter, binary } = definition;
  return {
    name: config.name,
    kind: 'computed',
    description,
    range,
    higherIsBetter,
    binary,
    source: { kind: 'config', config },
    score: (sample) => definition.score(sample, params),
  };
}

function withoutNameAndType<TConfig extends MetricConfig>(config: TConfig): Omit<TConfig, 'name' | 'type'> {
  const { name: _name, type: _type, ...params } = config;
  return params;
}

function resolveConfig(config: MetricConfig): ResolvedMetric {
  switch (config.type) {
    case 'regex':
      try {
        compileMetricRegex(config.pattern, config.flags);
      } catch (error) {
        if (error instanceof PatternError)
          throw new MetricResolutionError('invalid_metric_config', config.name, `${config.name}: ${error.message}`, error.field);
        throw error;
      }
      return configured(config, regexMetric, withoutNameAndType(config), `Output matches /${config.pattern}/${config.flags ?? ''}.`);
    case 'contains':
      return configured(
        config,
        containsMetric,
        withoutNameAndType(config),
        `Output contains ${JSON.stringify(config.value)}${config.case_sensitive === false ? ' (ignoring case)' : ''}.`,
      );
    case 'exact_match':
      return configured(config, exactMatchMetric, withoutNameAndType(config), exactMatchMetric.description);
    case 'json_schema':
      try {
        compileJsonSchema(config.schema);
      } catch (error) {
        if (error instanceof JsonSchemaError) {
          throw new MetricResolutionError(
            'invalid_metric_config',
            config.name,
            `${config.name}: ${error.message}`,
            error.path === undefined ? 'schema' : `schema.${error.path}`,
          );
        }
        throw error;
      }
      return configured(config, jsonSchemaMetric, withoutNameAndType(config), jsonSchemaMetric.description);
    case 'tool_arguments_match':
      return configured(
        config,
        toolArgumentsMatchMetric,
        withoutNameAndType(config),
        `Every expected tool call is made with ${config.mode === 'subset' ? 'at least the expected' : 'exactly the expected'} arguments.`,
      );
    case 'llm_judge':
      return judgeFromConfig(config);
    case 'string_check':
    case 'text_similarity':
    case 'label_model':
    case 'score_model':
    case 'python':
      return resolveGrader(config);
  }
}

function judgeFromConfig(config: MetricConfigOf<'llm_judge'>): ResolvedJudgeMetric {
  const scale = config.scale ?? defaultJudgeScale;
  return judgeMetric(
    {
      name: config.name,
      description: `Judged against the rubric: ${config.rubric}`,
      range: [0, 1],
      higherIsBetter: true,
      binary: false,
      source: { kind: 'config', config },
    },
    judgeTemplates.rubric,
    scale,
    config.rubric,
    config.judge_model_id,
  );
}
