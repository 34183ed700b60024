import { basename, extname } from 'node:path';
import { Command } from 'commander';
import type { Schemas } from '../../client/index.js';
import { call, connect, type Api } from '../api.js';
import { batchItems, type Batch } from '../batches.js';
import { formatOf, openBenchmarkFile, type BenchmarkHeader, type SourceItem } from '../benchmark-file.js';
import { ApiCallError, CliError } from '../errors.js';
import { print, type Io } from '../io.js';
import { commaList, integerIn, oneOf } from '../options.js';
import { importProgressView } from '../progress.js';
import { renderTable } from '../table.js';

type TaskType = Schemas['Benchmark']['task_type'];
const taskTypes: readonly TaskType[] = ['exact_answer', 'multiple_choice', 'free_text', 'classification'];

interface ImportOptions {
  name?: string;
  taskType?: TaskType;
  description?: string;
  defaultMetrics?: string[];
  promptTemplate?: string;
  format?: string;
  into?: string;
  skip: number;
}

async function* skipFirst(items: AsyncIterable<SourceItem>, count: number): AsyncGenerator<SourceItem> {
  let seen = 0;
  for await (const item of items) {
    seen += 1;
    if (seen > count) yield item;
  }
}

/** The API names a batch's fields `items.3.input`; the user knows the file: `line 7: input`. */
function pointAtFile(error: unknown, batch: Batch): unknown {
  if (!(error instanceof ApiCallError) || !error.body.errors) return error;
  const errors = error.body.errors.map((field) => {
    const match = /^items\.(\d+)(?:\.(.*))?$/.exec(field.path);
    const location = match ? batch.locations[Number(match[1])] : undefined;
    return location ? { ...field, path: match![2] ? `${location}: ${match![2]}` : location } : field;
  });
  return new ApiCallError(error.status, { ...error.body, errors });
}

function resumeHint(file: string, benchmarkId: string, sent: number, skipped: number): string {
  return `  ${benchmarkId} holds the first ${skipped + sent} items; after fixing the file, send the rest with: arbiter benchmarks import ${file} --into ${benchmarkId} --skip ${skipped + sent}`;
}

async function importBenchmark(io: Io, file: string, options: ImportOptions): Promise<void> {
  const format = formatOf(file, options.format);
  const api = connect(io);
  const source = await openBenchmarkFile(file, format);
  const header: BenchmarkHeader = source.header;
  const progress = importProgressView(io, source.totalBytes);
  let benchmarkId = options.into;
  let sent = 0;
  try {
    for await (const batch of batchItems(skipFirst(source.items, options.skip))) {
      try {
        if (benchmarkId) {
          await call(api, () =>
            api.client.POST('/api/v3/benchmarks/{benchmark_id}/items', {
              params: { path: { benchmark_id: benchmarkId! } },
              body: { items: batch.items },
            }),
          );
        } else {
          benchmarkId = (await createBenchmark(api, io, file, header, options, batch)).benchmark_id;
        }
      } catch (error) {
        throw pointAtFile(error, batch);
      }
      sent += batch.items.length;
      progress.update(batch.bytesRead, sent);
    }
  } catch (error) {
    if (error instanceof CliError && benchmarkId && (sent > 0 || options.into)) error.details.push(resumeHint(file, benchmarkId, sent, options.skip));
    throw error;
  } finally {
    progress.stop();
  }
  if (!benchmarkId) throw new CliError(`${file} holds no items${options.skip > 0 ? ` after the first ${options.skip}` : ''}; nothing was imported`);
  print(io.stderr, `${options.into ? 'appended' : 'imported'} ${sent} items ${options.into ? 'to' : 'into'} ${benchmarkId}`);
  print(io.stdout, benchmarkId);
}

async function createBenchmark(api: Api, io: Io, file: string, header: BenchmarkHeader, options: ImportOptions, first: Batch) {
  const name = options.name ?? header.name ?? basename(file, extname(file));
  let taskType = options.taskType ?? header.task_type;
  if (!taskType) {
    taskType = first.items.some((item) => item.choices) ? 'multiple_choice' : 'free_text';
    print(io.stderr, `task type: ${taskType} (guessed from the items; set it with --task-type ${taskTypes.join('|')})`);
  }
  const description = options.description ?? header.description;
  const promptTemplate = options.promptTemplate ?? header.prompt_template;
  const defaultMetrics = options.defaultMetrics ?? header.default_metrics;
  const { data } = await call(api, () =>
    api.client.POST('/api/v3/benchmarks', {
      body: {
        name,
        task_type: taskType,
        ...(description ? { description } : {}),
        ...(promptTemplate ? { prompt_template: promptTemplate } : {}),
        ...(defaultMetrics ? { default_metrics: defaultMetrics } : {}),
        items: first.items,
      },
    }),
  );
  print(io.stderr, `created ${data.benchmark_id} (${name}, ${taskType})`);
  return data;
}

const truncate = (text: string | undefined, length: number) => {
  const flat = (text ?? '').replace(/\s+/g, ' ');
  return flat.length > length ? `${flat.slice(0, length - 1)}…` : flat;
};

export function benchmarksCommand(io: Io): Command {
  const benchmarks = new Command('benchmarks').description('import, list and show benchmarks');

  benchmarks
    .command('import')
    .description('create a benchmark from a JSONL, CSV or JSON file, sent in batches as it is read')
    .argument(
      '<file>',
      'JSONL (optional benchmark line first, then one item per line), CSV (columns id,input,expected,context,choices; others become metadata) or JSON',
    )
    .option('--name <name>', 'benchmark name (default: the file header, else the file name)')
    .option('--task-type <type>', `one of ${taskTypes.join(', ')} (default: the file header, else guessed)`, oneOf(taskTypes))
    .option('--description <text>', 'benchmark description')
    .option('--default-metrics <names>', 'metrics evaluations use when they name none, comma-separated', commaList)
    .option('--prompt-template <template>', 'how an item becomes a prompt; must contain {input}')
    .option('--format <format>', 'jsonl, csv or json (default: from the extension)')
    .option('--into <benchmark_id>', 'append to this benchmark instead of creating one')
    .option('--skip <n>', 'skip the first n items (to resume an import)', integerIn(0, 10_000_000), 0)
    .action((file: string, options: ImportOptions) => importBenchmark(io, file, options));

  benchmarks
    .command('list')
    .description('list benchmarks, newest first')
    .option('--limit <n>', 'how many (1-100)', integerIn(1, 100), 20)
    .option('--cursor <cursor>', 'continue from a previous list')
    .option('--json', 'print the API response as JSON')
    .action(async (options: { limit: number; cursor?: string; json?: boolean }) => {
      const api = connect(io);
      const { data } = await call(api, () =>
        api.client.GET('/api/v3/benchmarks', { params: { query: { limit: options.limit, ...(options.cursor ? { cursor: options.cursor } : {}) } } }),
      );
      if (options.json) return void print(io.stdout, JSON.stringify(data, null, 2));
      const rows = data.items.map((benchmark) => [
        benchmark.benchmark_id,
        truncate(benchmark.name, 40),
        benchmark.task_type,
        String(benchmark.item_count),
        String(benchmark.version),
        benchmark.created_at,
      ]);
      print(
        io.stdout,
        renderTable(['benchmark_id', 'name', 'task_type', 'items', 'version', 'created_at'], rows, [
          'left',
          'left',
          'left',
          'right',
          'right',
          'left',
        ]),
      );
      if (data.next_cursor) print(io.stderr, `more: arbiter benchmarks list --cursor ${data.next_cursor}`);
    });

  benchmarks
    .command('show')
    .description("show a benchmark's metadata and its first items")
    .argument('<benchmark_id>')
    .option('--items <n>', 'how many items to show (0-100)', integerIn(0, 100), 5)
    .option('--json', 'print the API response as JSON')
    .action(async (benchmarkId: string, options: { items: number; json?: boolean }) => {
      const api = connect(io);
      const path = { benchmark_id: benchmarkId };
      const { data: benchmark } = await call(api, () => api.client.GET('/api/v3/benchmarks/{benchmark_id}', { params: { path } }));
      const items =
        options.items > 0
          ? (await call(api, () => api.client.GET('/api/v3/benchmarks/{benchmark_id}/items', { params: { path, query: { limit: options.items } } })))
              .data.items
          : [];
      if (options.json) return void print(io.stdout, JSON.stringify({ ...benchmark, items }, null, 2));
      const fields: [string, string][] = [
        ['benchmark_id', benchmark.benchmark_id],
        ['name', benchmark.name],
        ...(benchmark.description ? [['description', benchmark.description] as [string, string]] : []),
        ['task_type', benchmark.task_type],
        ['items', String(benchmark.item_count)],
        ['version', String(benchmark.version)],
        ['content_hash', benchmark.content_hash],
        ['default_metrics', (benchmark.default_metrics ?? []).join(', ') || "(the task type's)"],
        ['created_at', benchmark.created_at],
      ];
      print(io.stdout, renderTable(['field', 'value'], fields));
      if (items.length > 0) {
        print(io.stdout);
        print(
          io.stdout,
          renderTable(
            ['item_id', 'input', 'expected'],
            items.map((item) => [item.item_id, truncate(item.input, 60), truncate(item.expected, 30)]),
          ),
        );
      }
    });

  return benchmarks;
}
