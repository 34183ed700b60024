import type { Evaluation } from '../../contracts/evaluations/schemas.js';
import type { ItemResult } from '../../contracts/evaluations/result-types.js';
import { sampleKey, type ChunkLease } from '../ports/evaluation-store.js';
import type { Sample } from './samples.js';
import type { EvaluatorDeps } from './deps.js';

/** Results are written this many items at a time, so a chunk cut short resumes from what it had done. */
const FLUSH_EVERY = 25;

/**
 * A chunk's results: those a previous delivery stored, and those this one adds, which are written in
 * batches of FLUSH_EVERY as they complete, under the delivery's lease, one batch after another (each
 * write checks the lease, and concurrent ones would only conflict there).
 */
export class ResultBuffer {
  /** Every result the chunk has, stored or new, by `sampleKey`. */
  readonly known: Map<number, ItemResult>;
  private readonly deps: Pick<EvaluatorDeps, 'evaluations'>;
  private readonly evaluation: Evaluation;
  private readonly lease: ChunkLease;
  private pending: ItemResult[] = [];
  private writing: Promise<unknown> = Promise.resolve();

  constructor(deps: Pick<EvaluatorDeps, 'evaluations'>, evaluation: Evaluation, lease: ChunkLease, stored: Map<number, ItemResult>) {
    this.deps = deps;
    this.evaluation = evaluation;
    this.lease = lease;
    this.known = new Map(stored);
  }

  get(sample: Sample): ItemResult | undefined {
    return this.known.get(sampleKey(sample.item.position, sample.repeat));
  }

  /** Whether the sample has an output from every model of the evaluation. */
  isFinished(sample: Sample): boolean {
    const result = this.get(sample);
    return result !== undefined && this.evaluation.models.every((model) => result.outputs[model.model_id] !== undefined);
  }

  unfinished(samples: readonly Sample[]): Sample[] {
    return samples.filter((sample) => !this.isFinished(sample));
  }

  /** Every sample finished, and the chunk's every position has its samples (an item missing from the benchmark read has none). */
  allFinished(samples: readonly Sample[], firstPosition: number, count: number): boolean {
    const positions = new Set(samples.map((sample) => sample.item.position));
    return samples.every((sample) => this.isFinished(sample)) && [...Array(count).keys()].every((offset) => positions.has(firstPosition + offset));
  }

  async add(result: ItemResult): Promise<void> {
    this.known.set(sampleKey(result.position, result.repeat ?? 0), result);
    this.pending.push(result);
    if (this.pending.length >= FLUSH_EVERY) await this.flush();
  }

  async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const write = this.writing.then(() =>
      this.deps.evaluations.putResults(this.evaluation.tenant_id, this.evaluation.evaluation_id, this.lease, batch),
    );
    // A failed batch fails its own caller; the next batch still waits its turn rather than the failure.
    this.writing = write.catch(() => undefined);
    await write;
  }
}
