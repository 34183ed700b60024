import { MultiBar, Presets, SingleBar, type Options } from 'cli-progress';
import type { Schemas } from '../client/index.js';
import type { Received } from './api.js';
import { print, type Io, type OutputStream } from './io.js';
import { formatDuration } from './table.js';

type EvaluationStatus = Received<Schemas['EvaluationStatus']>;

/** Live bars on a terminal; elsewhere (CI logs, pipes, tests) one plain line per change. */
const liveBars = (stream: OutputStream) => stream.isTTY === true;

const barOptions = (stream: OutputStream, format: string): Options => ({
  stream: stream as unknown as NodeJS.WritableStream,
  format,
  hideCursor: true,
  clearOnComplete: false,
  barsize: 20,
  autopadding: true,
  etaBuffer: 20,
});

export interface ModelProgress {
  model_id: string;
  done: number;
  total: number;
  percent: number;
  /** Items per second and estimated seconds left, from the status route; null while unknown. */
  rate: number | null;
  eta: number | null;
}

/**
 * Each model's progress, in the evaluation's model order: the status route reports every model's finished
 * items and the evaluation's rate; a model's ETA is its own remaining items at that rate.
 */
export function modelProgress(status: EvaluationStatus): ModelProgress[] {
  const ids = [status.model_id, ...(status.model_id_2 ? [status.model_id_2] : [])];
  const total = status.progress.total_items;
  const rate = status.progress.items_per_second;
  return ids.map((modelId) => {
    const counts = status.progress.models.find((model) => model.model_id === modelId);
    const done = counts ? counts.scored + counts.failed : 0;
    const finished = ['completed', 'failed', 'cancelled'].includes(status.status);
    return {
      model_id: modelId,
      done,
      total,
      percent: status.status === 'completed' ? 100 : (counts?.percent ?? 0),
      rate,
      eta: finished ? 0 : rate && rate > 0 ? Math.ceil((total - done) / rate) : null,
    };
  });
}

const rateText = (rate: number | null) => (rate === null ? '--' : rate.toFixed(1));

/** One line for logs: `eval-… running  model-a 40.0% (4/10)  model-b 40.0% (4/10)  2.5 items/s  ETA 3s`. */
export function progressLine(status: EvaluationStatus): string {
  const models = modelProgress(status).map((model) => `${model.model_id} ${model.percent.toFixed(1)}% (${model.done}/${model.total})`);
  const tail =
    status.status === 'running'
      ? [`${rateText(status.progress.items_per_second)} items/s`, `ETA ${formatDuration(status.progress.eta_seconds)}`]
      : [];
  return [`${status.evaluation_id} ${status.status}`, ...models, ...tail].join('  ');
}

export interface EvaluationProgressView {
  update(status: EvaluationStatus): void;
  stop(): void;
}

export function evaluationProgressView(io: Io): EvaluationProgressView {
  return liveBars(io.stderr) ? new EvaluationBars(io.stderr) : new EvaluationLines(io);
}

class EvaluationLines implements EvaluationProgressView {
  private last = '';
  constructor(private readonly io: Io) {}

  update(status: EvaluationStatus): void {
    // The rate and ETA move on every poll; a new line only when the counts or the status change.
    const line = progressLine(status);
    const key = progressLine({ ...status, progress: { ...status.progress, items_per_second: null, eta_seconds: null } });
    if (key === this.last) return;
    this.last = key;
    print(this.io.stderr, line);
  }

  stop(): void {}
}

class EvaluationBars implements EvaluationProgressView {
  private readonly bars = new Map<string, ReturnType<MultiBar['create']>>();
  private readonly multibar: MultiBar;

  constructor(stream: OutputStream) {
    // Most telling first: a narrow terminal cuts the line's end.
    this.multibar = new MultiBar(
      barOptions(stream, '{model} {bar} {percentage}% | {when} | {rate} items/s | {value}/{total}'),
      Presets.shades_classic,
    );
  }

  update(status: EvaluationStatus): void {
    const width = Math.max(...modelProgress(status).map((model) => model.model_id.length));
    for (const model of modelProgress(status)) {
      const when = status.status === 'running' ? `ETA ${formatDuration(model.eta)}` : status.status;
      const payload = { model: model.model_id.padEnd(width), rate: rateText(model.rate), when };
      const bar = this.bars.get(model.model_id);
      // cli-progress computes the percentage from value/total; a completed evaluation shows 100%.
      const value = status.status === 'completed' ? model.total : model.done;
      if (bar) {
        bar.setTotal(Math.max(model.total, 1));
        bar.update(value, payload);
      } else {
        this.bars.set(model.model_id, this.multibar.create(Math.max(model.total, 1), value, payload));
      }
    }
  }

  stop(): void {
    this.multibar.stop();
  }
}

export interface ImportProgressView {
  /** After each batch: bytes of the file read, items sent so far. */
  update(bytesRead: number, items: number): void;
  stop(): void;
}

export function importProgressView(io: Io, totalBytes: number): ImportProgressView {
  if (liveBars(io.stderr)) {
    const bar = new SingleBar(
      barOptions(io.stderr, 'importing {bar} {percentage}% | {items} items sent | ETA {eta_formatted}'),
      Presets.shades_classic,
    );
    bar.start(Math.max(totalBytes, 1), 0, { items: 0 });
    return {
      update: (bytesRead, items) => bar.update(bytesRead, { items }),
      stop: () => bar.stop(),
    };
  }
  return {
    update: (bytesRead, items) =>
      print(io.stderr, `sent ${items} items (${totalBytes > 0 ? Math.min(100, Math.round((bytesRead / totalBytes) * 100)) : 100}% of the file)`),
    stop: () => {},
  };
}
