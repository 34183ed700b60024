import type { Benchmark } from '../../contracts/benchmarks/schemas.js';
import type { Evaluation } from '../../contracts/evaluations/schemas.js';
import type { Model } from '../../contracts/models/schemas.js';
import type { ModelClient } from '../ports/model-client.js';
import type { WorkQueue } from '../ports/work-queue.js';
import type { BenchmarkStore } from '../ports/benchmark-store.js';
import type { EvaluationStore } from '../ports/evaluation-store.js';
import type { Scorer } from './scoring.js';

/** Everything the evaluator touches, passed in so tests can run it against the local services. */
export interface EvaluatorDeps {
  evaluations: EvaluationStore;
  benchmarks: BenchmarkStore;
  queue: WorkQueue;
  clientFor(model: Model): ModelClient;
  scorerFor(evaluation: Evaluation, benchmark: Benchmark): Scorer;
}
