import type { Benchmark } from '../benchmarks/schemas.js';
import type { Evaluation } from '../evaluations/schemas.js';
import type { Model } from '../models/schemas.js';
import type { ModelClient } from '../providers/types.js';
import type { WorkQueue } from '../queue/work-queue.js';
import type { DynamoDbBenchmarkStore } from '../store/dynamodb/benchmark-store.js';
import type { DynamoDbEvaluationStore } from '../store/dynamodb/evaluation-store.js';
import type { Scorer } from './scoring.js';

/** Everything the evaluator touches, passed in so tests can run it against the local services. */
export interface EvaluatorDeps {
  evaluations: DynamoDbEvaluationStore;
  benchmarks: DynamoDbBenchmarkStore;
  queue: WorkQueue;
  clientFor(model: Model): ModelClient;
  scorerFor(evaluation: Evaluation, benchmark: Benchmark): Scorer;
}
