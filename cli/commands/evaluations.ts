import { open, rename, rm } from 'node:fs/promises';
import { Command, InvalidArgumentError } from 'commander';
import type { Schemas } from '../../client/index.js';
import { call, connect, type Api, type Received } from '../api.js';
import { ApiCallError, CliError, exitCodes } from '../errors.js';
import { exportResults, type ExportFormat } from '../export.js';
import { print, type Io } from '../io.js';
import { collect, commaList, integerIn, numberIn, oneOf } from '../options.js';
import { progressLine } from '../progress.js';
import { estimateView } from '../estimate-view.js';
import type { EstimateResponse } from '#shared/contracts/evaluations/estimate-schemas.js';
import { resultsView } from '../results-view.js';
import { formatDuration, renderTable } from '../table.js';
import { checkThresholds, parseThreshold, type Threshold } from '../thresholds.js';
import { finalStatusError, watchEvaluation } from '../watch.js';

type CustomMetric = Schemas['CreateEvaluationRequest'] extends { custom_metrics?: (infer M)[] } ? M : never;
type EvaluationStatus = Schemas['EvaluationStatus'];

interface WatchOptions {
  failUnder: Threshold[];
  interval: number;
}

interface EstimateOptions {
  model: string;
  model2?: string;
  benchmark: string;
  metrics?: CustomMetric[];
  budgetUsd?: number;
}

interface RunOptions extends WatchOptions, EstimateOptions {
  watch?: boolean;
  yes?: boolean;
}

const createBody = (options: EstimateOptions) => ({
  model_id: options.model,
  benchmark_id: options.benchmark,
  ...(options.model2 ? { model_id_2: options.model2 } : {}),
  ...(options.metrics ? { custom_metrics: options.metrics } : {}),
  ...(options.budgetUsd !== undefined ? { budget_usd: options.budgetUsd } : {}),
});

type Untyped = (path: string, init: { body: unknown }) => Promise<{ data?: unknown; error?: unknown; response: Response }>;

/**
 * `POST /evaluations/estimate`. Called through an untyped view of the client until client/schema.d.ts is
 * regenerated with the route; the answer's type is the contract's own.
 */
async function fetchEstimate(api: Api, options: EstimateOptions): Promise<EstimateResponse | undefined> {
  const post = api.client.POST as unknown as Untyped;
  try {
    const { data } = await call(api, () => post('/api/v3/evaluations/estimate', { body: createBody(options) }));
    return data as EstimateResponse;
  } catch (error) {
    // A service from before the route answers API Gateway's bare 404: nothing to show, so a run goes on as it used to.
    if (error instanceof ApiCallError && error.status === 404 && error.body.code === undefined) return undefined;
    throw error;
  }
}

/**
 * Shows the estimate before creating. On a terminal it asks, and anything but y/yes stops; `--yes` skips
 * the question. Without a terminal (CI, scripts) there is nobody to ask: the estimate is printed on
 * standard error and the run goes on, as before the question existed.
 */
async function confirmEstimate(api: Api, io: Io, options: RunOptions): Promise<boolean> {
  const estimate = await fetchEstimate(api, options);
  if (!estimate) return true;
  print(io.stderr, estimateView(estimate));
  const interactive = io.stdin?.isTTY === true && io.stderr.isTTY === true && io.ask !== undefined;
  if (options.yes || !interactive) return true;
  const answer = await io.ask!('Run it? [y/N] ');
  return /^\s*y(es)?\s*$/i.test(answer);
}

/** `accuracy,relevance`, or a JSON array for configuration objects (`[{"name":"cites","type":"regex",…}]`). */
function parseMetrics(text: string): CustomMetric[] {
  if (!text.trimStart().startsWith('[')) return commaList(text);
  try {
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed)) return parsed as CustomMetric[];
  } catch {
    // Falls through to the usage error below.
  }
  throw new InvalidArgumentError('must be metric names, comma-separated, or a JSON array of metric names and configuration objects.');
}

const thresholdOption = (command: Command) =>
  command
    .option(
      '--fail-under <metric=value>',
      "exit 3 when any model's mean of the metric is under the value (repeatable; implies --watch)",
      collect(parseThreshold),
      [],
    )
    .option('--interval <seconds>', 'seconds between status polls', numberIn(0.1, 60), 1);

/** Waits for the evaluation, prints its tables, then fails the command if it failed or missed a threshold. */
async function followToEnd(api: Api, io: Io, evaluationId: string, options: WatchOptions): Promise<void> {
  print(io.stderr, `watching ${evaluationId} (Ctrl-C stops watching; the evaluation carries on)`);
  const started = io.now();
  const status = await watchEvaluation(api, io, evaluationId, options.interval * 1000);
  const { data: evaluation } = await call(api, () =>
    api.client.GET('/api/v3/evaluations/{evaluation_id}', { params: { path: { evaluation_id: evaluationId } } }),
  );
  print(io.stderr, `${evaluationId} ${status.status} after ${formatDuration((io.now() - started) / 1000)}`);
  if (evaluation.results) {
    print(io.stdout);
    print(io.stdout, resultsView(evaluation.results, requestedMetrics(evaluation)));
  }
  const failure = finalStatusError(status);
  if (failure) throw failure;
  if (options.failUnder.length === 0 || !evaluation.results) return;
  const check = checkThresholds(evaluation.results, options.failUnder);
  print(io.stdout);
  for (const line of check.met) print(io.stdout, `threshold met: ${line}`);
  if (check.missed.length === 1) throw new CliError(`threshold missed: ${check.missed[0]}`, exitCodes.thresholdMissed);
  if (check.missed.length > 1) {
    throw new CliError(
      `${check.missed.length} thresholds missed`,
      exitCodes.thresholdMissed,
      check.missed.map((line) => `  ${line}`),
    );
  }
}

async function runEvaluation(io: Io, options: RunOptions): Promise<void> {
  const api = connect(io);
  if (!(await confirmEstimate(api, io, options))) {
    print(io.stderr, 'not run: nothing was created');
    return;
  }
  const { data: created } = await call(api, () => api.client.POST('/api/v3/evaluations', { body: createBody(options) }));
  const models = created.model_id_2 ? `${created.model_id} vs ${created.model_id_2}` : created.model_id;
  print(io.stderr, `created ${created.evaluation_id}: ${models} on ${created.benchmark_id}`);
  if (!options.watch && options.failUnder.length === 0) {
    print(io.stdout, created.evaluation_id);
    print(io.stderr, `follow it with: arbiter eval watch ${created.evaluation_id}`);
    return;
  }
  await followToEnd(api, io, created.evaluation_id, options);
}

const requestedMetrics = (evaluation: Received<Schemas['Evaluation']>) =>
  (evaluation.custom_metrics ?? []).map((metric) => (typeof metric === 'string' ? metric : metric.name));

function statusLines(evaluation: Received<Schemas['Evaluation']>): string {
  const models = evaluation.models.map((model) => `${model.model_id}${model.baseline ? ' (baseline)' : ''}`).join(' vs ');
  const fields: [string, string][] = [
    ['evaluation_id', evaluation.evaluation_id],
    ['status', evaluation.status],
    ['models', models],
    [
      'benchmark',
      `${evaluation.benchmark_id} (version ${evaluation.benchmark_version}, ${evaluation.progress.total_items} items, hash ${evaluation.benchmark_content_hash.slice(0, 16)}…)`,
    ],
    ['created_at', evaluation.created_at],
    ...(evaluation.started_at ? [['started_at', evaluation.started_at] as [string, string]] : []),
    ...(evaluation.completed_at ? [['completed_at', evaluation.completed_at] as [string, string]] : []),
    ['progress', progressLine(evaluation).replace(`${evaluation.evaluation_id} ${evaluation.status}  `, '')],
    ...(evaluation.error ? [['error', `${evaluation.error.message} (${evaluation.error.code})`] as [string, string]] : []),
  ];
  return renderTable(['field', 'value'], fields);
}

/** Writes to a temporary file renamed into place, so a failed export never leaves half a file behind. */
async function writeOutput(io: Io, output: string | undefined, produce: (write: (text: string) => Promise<void>) => Promise<void>): Promise<void> {
  if (!output) return produce(async (text) => void io.stdout.write(text));
  const temporary = `${output}.${process.pid}.partial`;
  const file = await open(temporary, 'w');
  try {
    await produce(async (text) => void (await file.write(text)));
    await file.close();
    await rename(temporary, output);
  } catch (error) {
    await file.close().catch(() => {});
    await rm(temporary, { force: true });
    throw error;
  }
}

export function evaluationsCommand(io: Io): Command {
  const evaluations = new Command('eval').description('run, follow and read evaluations');

  thresholdOption(
    evaluations
      .command('run')
      .description('evaluate a model on a benchmark, or compare two')
      .requiredOption('--model <model_id>', 'the model to evaluate')
      .option('--model-2 <model_id>', 'a second model, compared side by side with the first')
      .requiredOption('--benchmark <benchmark_id>', 'the benchmark to run')
      .option('--metrics <metrics>', 'metric names, comma-separated (accuracy,relevance), or a JSON array with configuration objects', parseMetrics)
      .option(
        '--budget-usd <usd>',
        'hard spend limit: no call starts once it is reached (every model and judge needs pricing)',
        numberIn(0.000001, 1_000_000),
      )
      .option('--watch', 'show live progress, then the results tables')
      .option('-y, --yes', 'run without asking after the estimate (without a terminal it never asks)'),
  ).action((options: RunOptions) => runEvaluation(io, options));

  evaluations
    .command('estimate')
    .description('estimate the calls, tokens, cost and duration of an evaluation without running it')
    .requiredOption('--model <model_id>', 'the model to evaluate')
    .option('--model-2 <model_id>', 'a second model, compared side by side with the first')
    .requiredOption('--benchmark <benchmark_id>', 'the benchmark to run')
    .option('--metrics <metrics>', 'metric names, comma-separated (accuracy,relevance), or a JSON array with configuration objects', parseMetrics)
    .option('--budget-usd <usd>', 'the budget the run would have (checked as create checks it)', numberIn(0.000001, 1_000_000))
    .option('--json', 'print the API response as JSON')
    .action(async (options: EstimateOptions & { json?: boolean }) => {
      const api = connect(io);
      const estimate = await fetchEstimate(api, options);
      if (!estimate) throw new CliError(`${api.endpoint} has no estimate route (POST /api/v3/evaluations/estimate): update the service`);
      if (options.json) return void print(io.stdout, JSON.stringify(estimate, null, 2));
      print(io.stdout, estimateView(estimate));
      for (const assumption of estimate.assumptions) print(io.stdout, `  - ${assumption}`);
    });

  thresholdOption(
    evaluations.command('watch').description('follow a running evaluation to its end, then print its results').argument('<evaluation_id>'),
  ).action((evaluationId: string, options: WatchOptions) => followToEnd(connect(io), io, evaluationId, options));

  evaluations
    .command('show')
    .description('show an evaluation: status, progress and, once finished, its results')
    .argument('<evaluation_id>')
    .option('--json', 'print the API response as JSON')
    .action(async (evaluationId: string, options: { json?: boolean }) => {
      const api = connect(io);
      const { data } = await call(api, () =>
        api.client.GET('/api/v3/evaluations/{evaluation_id}', { params: { path: { evaluation_id: evaluationId } } }),
      );
      if (options.json) return void print(io.stdout, JSON.stringify(data, null, 2));
      print(io.stdout, statusLines(data));
      if (data.results) {
        print(io.stdout);
        print(io.stdout, resultsView(data.results, requestedMetrics(data)));
      }
    });

  evaluations
    .command('list')
    .description('list evaluations, newest first')
    .option(
      '--status <status>',
      'pending, running, completed, failed or cancelled',
      oneOf(['pending', 'running', 'completed', 'failed', 'cancelled'] as const),
    )
    .option('--benchmark <benchmark_id>', 'only evaluations of this benchmark')
    .option('--model <model_id>', 'only evaluations of this model')
    .option('--limit <n>', 'how many (1-100)', integerIn(1, 100), 20)
    .option('--cursor <cursor>', 'continue from a previous list')
    .option('--json', 'print the API response as JSON')
    .action(
      async (options: {
        status?: EvaluationStatus['status'];
        benchmark?: string;
        model?: string;
        limit: number;
        cursor?: string;
        json?: boolean;
      }) => {
        const api = connect(io);
        const query = {
          limit: options.limit,
          ...(options.status ? { status: options.status } : {}),
          ...(options.benchmark ? { benchmark_id: options.benchmark } : {}),
          ...(options.model ? { model_id: options.model } : {}),
          ...(options.cursor ? { cursor: options.cursor } : {}),
        };
        const { data } = await call(api, () => api.client.GET('/api/v3/evaluations', { params: { query } }));
        if (options.json) return void print(io.stdout, JSON.stringify(data, null, 2));
        const rows = data.items.map((evaluation) => [
          evaluation.evaluation_id,
          evaluation.status,
          evaluation.model_id_2 ? `${evaluation.model_id} vs ${evaluation.model_id_2}` : evaluation.model_id,
          evaluation.benchmark_id,
          `${evaluation.progress.percent.toFixed(1)}%`,
          evaluation.created_at,
        ]);
        print(
          io.stdout,
          renderTable(['evaluation_id', 'status', 'models', 'benchmark', 'progress', 'created_at'], rows, [
            'left',
            'left',
            'left',
            'left',
            'right',
            'left',
          ]),
        );
        if (data.next_cursor) print(io.stderr, `more: arbiter eval list --cursor ${data.next_cursor}`);
      },
    );

  evaluations
    .command('cancel')
    .description('cancel a pending or running evaluation; what was done is kept')
    .argument('<evaluation_id>')
    .action(async (evaluationId: string) => {
      const api = connect(io);
      const { data } = await call(api, () =>
        api.client.POST('/api/v3/evaluations/{evaluation_id}/cancel', { params: { path: { evaluation_id: evaluationId } } }),
      );
      print(io.stdout, `${data.evaluation_id} ${data.status}`);
    });

  thresholdOption(
    evaluations
      .command('rescore')
      .description("score a completed evaluation's stored answers with other metrics, in a new evaluation that calls no candidate model")
      .argument('<evaluation_id>')
      .requiredOption('--metrics <metrics>', 'metric names, comma-separated, or a JSON array with configuration objects', parseMetrics)
      .option('--budget-usd <usd>', 'hard spend limit for the judges', numberIn(0.000001, 1_000_000))
      .option('--watch', 'show live progress, then the results tables'),
  ).action(async (evaluationId: string, options: WatchOptions & { metrics: RunOptions['metrics']; budgetUsd?: number; watch?: boolean }) => {
    const api = connect(io);
    const body = { custom_metrics: options.metrics!, ...(options.budgetUsd !== undefined ? { budget_usd: options.budgetUsd } : {}) };
    const { data: created } = await call(api, () =>
      api.client.POST('/api/v3/evaluations/{evaluation_id}/rescore', { params: { path: { evaluation_id: evaluationId } }, body }),
    );
    print(io.stderr, `created ${created.evaluation_id}: the answers of ${evaluationId} scored again`);
    if (!options.watch && options.failUnder.length === 0) {
      print(io.stdout, created.evaluation_id);
      print(io.stderr, `follow it with: arbiter eval watch ${created.evaluation_id}`);
      return;
    }
    await followToEnd(api, io, created.evaluation_id, options);
  });

  evaluations
    .command('results')
    .description('export every per-item result as CSV (one row per item and model) or JSONL (one line per item)')
    .argument('<evaluation_id>')
    .option('--format <format>', 'csv or jsonl', oneOf(['csv', 'jsonl'] as const), 'csv')
    .option('--failed', 'only failed answers (CSV) or items with a failed answer (JSONL)')
    .option('--model <model_id>', "only this model's answers")
    .option('-o, --output <file>', 'write to this file instead of standard output')
    .action(async (evaluationId: string, options: { format: ExportFormat; failed?: boolean; model?: string; output?: string }) => {
      const api = connect(io);
      const filters = { ...(options.failed ? { failed: true } : {}), ...(options.model ? { modelId: options.model } : {}) };
      await writeOutput(io, options.output, async (write) => {
        await exportResults(api, evaluationId, options.format, filters, write);
      });
      if (options.output) print(io.stderr, `wrote ${options.output}`);
    });

  evaluations
    .command('report')
    .description('write the HTML report of an evaluation (charts, comparison, disagreements); opens offline')
    .argument('<evaluation_id>')
    .option('-o, --output <file>', 'write to this file instead of standard output')
    .action(async (evaluationId: string, options: { output?: string }) => {
      const api = connect(io);
      const { data } = await call(api, () =>
        api.client.GET('/api/v3/evaluations/{evaluation_id}/report', { params: { path: { evaluation_id: evaluationId } }, parseAs: 'text' }),
      );
      const html = data as string;
      await writeOutput(io, options.output, (write) => write(html));
      if (options.output) print(io.stderr, `wrote ${options.output} (${Math.ceil(Buffer.byteLength(html) / 1024)} KB)`);
    });

  return evaluations;
}
