/**
 * `npx tsx bench/metrics.ts`: throughput of every lexical metric on 10,000 generated items with ~50-word
 * answers (items/s per metric, and for all of them together), and the time of the evaluator's finalize
 * step: aggregate + paired comparison + Holm + verdict for 4 metrics over 100,000 items × 2 models.
 * The `regex` section runs configured `regex` metrics exactly as an evaluation resolves them: typical
 * patterns over the same answers, then the catastrophic case `^(a+)+$` against `a…a!` of growing length,
 * each length in a child process (bench/regex-catastrophic.ts) killed after BENCH_REGEX_TIMEOUT_MS.
 * Prints a JSON report. BENCH_ITEMS and BENCH_STATS_ITEMS override the sizes.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { builtinMetrics } from '#shared/domain/metrics/builtin-metrics.js';
import { resolveMetrics } from '#shared/domain/metrics/registry.js';
import type { ScoreInput } from '#shared/domain/metrics/types.js';
import { aggregate } from '#shared/domain/stats/aggregate.js';
import { comparePaired } from '#shared/domain/stats/compare.js';
import { holmAdjust } from '#shared/domain/stats/holm.js';
import { createRandom, deriveSeed, type Random } from '#shared/domain/stats/random.js';
import { verdict } from '#shared/domain/stats/verdict.js';

const itemCount = Number(process.env.BENCH_ITEMS ?? 10_000);
const statsItemCount = Number(process.env.BENCH_STATS_ITEMS ?? 100_000);
const lexicalMetrics = [
  'exact_match',
  'accuracy',
  'contains',
  'icontains',
  'starts_with',
  'token_f1',
  'bleu',
  'chrf',
  'rouge_1',
  'rouge_2',
  'rouge_l',
  'edit_similarity',
  'json_valid',
] as const;

const random = createRandom(2024);
const pick = <T>(items: readonly T[], source: Random): T => items[Math.floor(source() * items.length)]!;

// A Zipf-like vocabulary: a few frequent words and a long tail, like real answers.
const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'an', 'er', 'is', 'on', 'ul'];
const vocabulary = Array.from({ length: 3000 }, () => Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(syllables, random)).join(''));
const word = () => vocabulary[Math.floor(vocabulary.length * random() ** 2.5)]!;

function sentence(length: number): string[] {
  const words = Array.from({ length }, word);
  return words.map((w, i) => (i % 12 === 11 ? `${w}.` : w));
}

/** A reference of ~50 words and an answer that keeps most of it: substitutions, drops and insertions. */
function item(): ScoreInput {
  const reference = sentence(40 + Math.floor(random() * 21));
  const answer: string[] = [];
  for (const w of reference) {
    const roll = random();
    if (roll < 0.1) continue;
    answer.push(roll < 0.25 ? word() : w);
    if (random() < 0.05) answer.push(word());
  }
  return { input: 'Summarise the passage.', output: answer.join(' '), expected: reference.join(' ') };
}

const items = Array.from({ length: itemCount }, item);

function timeMetric(name: (typeof lexicalMetrics)[number]): { items_per_s: number; ms: number; mean: number } {
  const definition = builtinMetrics[name];
  if (definition.kind !== 'computed') throw new Error(`${name} is not computed`);
  const start = performance.now();
  let sum = 0;
  for (const sample of items) sum += definition.score(sample) ?? 0;
  const ms = performance.now() - start;
  return { items_per_s: Math.round((itemCount / ms) * 1000), ms: Math.round(ms), mean: Number((sum / itemCount).toFixed(4)) };
}

// One untimed pass so the first metric does not pay for the JIT's warm-up alone.
for (const sample of items.slice(0, 200))
  for (const name of lexicalMetrics) {
    const definition = builtinMetrics[name];
    if (definition.kind === 'computed') definition.score(sample);
  }
const perMetric = Object.fromEntries(lexicalMetrics.map((name) => [name, timeMetric(name)]));
const totalMs = Object.values(perMetric).reduce((sum, result) => sum + result.ms, 0);

/** A configured regex metric, resolved as an evaluation resolves it (compiled once, scored per item). */
function regexScorer(pattern: string, flags?: string): (sample: ScoreInput) => number | null {
  const [metric] = resolveMetrics([{ name: 'pattern', type: 'regex', pattern, ...(flags ? { flags } : {}) }], { taskType: 'free_text' });
  if (metric?.kind !== 'computed') throw new Error('a regex metric is computed');
  return (sample) => metric.score(sample);
}

// What tenants write: a citation marker, a leading yes/no, a date, a capitalised name, an alternation.
const typicalPatterns: { pattern: string; flags?: string }[] = [
  { pattern: String.raw`\[\d+\]` },
  { pattern: String.raw`^(?:yes|no)\b`, flags: 'i' },
  { pattern: String.raw`\b\d{4}-\d{2}-\d{2}\b` },
  { pattern: String.raw`\b[A-Z][a-z]+\s[A-Z][a-z]+\b` },
  { pattern: String.raw`\b(?:kalo|mine|ruti)\w*\.`, flags: 'i' },
];

function timeRegex(): Record<string, unknown> {
  const typical = typicalPatterns.map(({ pattern, flags }) => {
    const score = regexScorer(pattern, flags);
    for (const sample of items.slice(0, 200)) score(sample);
    const start = performance.now();
    let sum = 0;
    for (const sample of items) sum += score(sample) ?? 0;
    const ms = performance.now() - start;
    return {
      pattern,
      flags: flags ?? '',
      items_per_s: Math.round((itemCount / ms) * 1000),
      ms: Math.round(ms),
      mean: Number((sum / itemCount).toFixed(4)),
    };
  });
  const typicalMs = typical.reduce((sum, result) => sum + result.ms, 0);

  // One child process per length, killed at the timeout: a backtracking engine cannot be interrupted from inside.
  const lengths = (process.env.BENCH_REGEX_LENGTHS ?? '16,20,24,26,28,1000,100000').split(',').map(Number);
  const rows = lengths.map((length) => {
    try {
      const out = execFileSync(
        process.execPath,
        [...process.execArgv, fileURLToPath(new URL('./regex-catastrophic.ts', import.meta.url)), String(length)],
        {
          timeout: catastrophicTimeoutMs,
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      return JSON.parse(out.toString()) as Record<string, unknown>;
    } catch (error) {
      if ((error as { signal?: string }).signal !== 'SIGTERM') throw error;
      return { answer_chars: length + 1, items: 0, items_per_s: 0, note: `one item did not finish within ${catastrophicTimeoutMs} ms (killed)` };
    }
  });
  return {
    typical: { patterns: typical, all_patterns: { ms: typicalMs, items_per_s: Math.round(((itemCount * typical.length) / typicalMs) * 1000) } },
    catastrophic: { pattern: '^(a+)+$', answer: 'a…a!', rows },
  };
}
const catastrophicTimeoutMs = Number(process.env.BENCH_REGEX_TIMEOUT_MS ?? 10_000);
const regex = timeRegex();

/** Four metrics for two models, as the finalize step sees them: two pass/fail, two continuous (one lower-is-better). */
function finalizeInputs() {
  const source = createRandom(99);
  const metrics = [
    { name: 'exact_match', binary: true, higherIsBetter: true, draw: (skill: number) => (source() < 0.4 + skill ? 1 : 0) },
    { name: 'accuracy', binary: true, higherIsBetter: true, draw: (skill: number) => (source() < 0.6 + skill ? 1 : 0) },
    {
      name: 'rouge_l',
      binary: false,
      higherIsBetter: true,
      draw: (skill: number) => Math.min(1, Math.max(0, 0.45 + skill + 0.2 * (source() - 0.5))),
    },
    { name: 'latency_ms', binary: false, higherIsBetter: false, draw: (skill: number) => -(400 - 1000 * skill) * Math.log(1 - source()) },
  ];
  return metrics.map((metric) => ({
    ...metric,
    // Model 2 is slightly better; about 1% of items have no score (failed calls).
    model1: Array.from({ length: statsItemCount }, () => (source() < 0.01 ? null : metric.draw(0))),
    model2: Array.from({ length: statsItemCount }, () => (source() < 0.01 ? null : metric.draw(0.01))),
  }));
}

function timeFinalize(bootstrapMaxN: number | undefined) {
  const inputs = finalizeInputs();
  const seed = 12345;
  const start = performance.now();
  const aggregates = inputs.map((metric) => ({
    model_1: aggregate(metric.model1, {
      binary: metric.binary,
      seed: deriveSeed(seed, `${metric.name}/1`),
      ...(bootstrapMaxN ? { bootstrapMaxN } : {}),
    }),
    model_2: aggregate(metric.model2, {
      binary: metric.binary,
      seed: deriveSeed(seed, `${metric.name}/2`),
      ...(bootstrapMaxN ? { bootstrapMaxN } : {}),
    }),
  }));
  const comparisons = inputs.map((metric) =>
    comparePaired(metric.model1, metric.model2, {
      binary: metric.binary,
      higherIsBetter: metric.higherIsBetter,
      seed: deriveSeed(seed, metric.name),
      ...(bootstrapMaxN ? { bootstrapMaxN } : {}),
    }),
  );
  const adjusted = holmAdjust(comparisons.map((comparison) => comparison.p_value));
  const verdicts = comparisons.map((comparison, i) => verdict(comparison, adjusted[i] ?? null));
  const ms = performance.now() - start;
  return {
    ms: Math.round(ms),
    interval_methods: [
      ...new Set([...aggregates.flatMap((a) => [a.model_1.ci_method, a.model_2.ci_method]), ...comparisons.map((c) => c.ci_method)]),
    ],
    verdicts: Object.fromEntries(
      inputs.map((metric, i) => [metric.name, { verdict: verdicts[i], test: comparisons[i]!.test, p_adjusted: adjusted[i] }]),
    ),
  };
}

const report = {
  node: process.version,
  lexical: {
    items: itemCount,
    words_per_answer: Math.round(items.reduce((sum, sample) => sum + sample.output.split(' ').length, 0) / itemCount),
    per_metric: perMetric,
    all_metrics: { ms: totalMs, items_per_s: Math.round((itemCount / totalMs) * 1000) },
  },
  regex,
  finalize: {
    items: statsItemCount,
    models: 2,
    metrics: 4,
    default: timeFinalize(undefined),
    bootstrap_forced: timeFinalize(Number.POSITIVE_INFINITY),
  },
};
console.log(JSON.stringify(report, null, 2));
