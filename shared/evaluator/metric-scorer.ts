import type { Benchmark } from '../benchmarks/schemas.js';
import type { Evaluation } from '../evaluations/schemas.js';
import { accuracy } from '../metrics/lexical/accuracy.js';
import { exactMatch } from '../metrics/lexical/exact-match.js';
import type { Scorer } from './scoring.js';

/** Provisional: exact match / accuracy until the metric registry is wired in. */
export function scorerFor(_evaluation: Evaluation, benchmark: Benchmark): Scorer {
  const multipleChoice = benchmark.task_type === 'multiple_choice';
  const name = multipleChoice ? 'accuracy' : 'exact_match';
  return {
    metrics: [{ name, binary: true, higherIsBetter: true }],
    score: ({ item, output }) => ({
      [name]: item.expected === undefined ? null : multipleChoice ? accuracy(output, item.expected, item.choices) : exactMatch(output, item.expected),
    }),
  };
}
