/**
 * `npm run bench:evaluator`: a 10,000-item benchmark (BENCH_ITEMS), the fake model at 50 ms latency
 * (BENCH_LATENCY_MS) with concurrency 50 (BENCH_CONCURRENCY), on the local stack. Prints wall time from
 * POST to `completed`, items/s and the ratio to the limit (concurrency ÷ latency), DynamoDB writes per
 * item, the evaluator process's peak memory, and an AWS list-price estimate per 10,000 items.
 * BENCH_BUDGET_USD runs the evaluation under that budget (the model priced), to measure what holding a
 * budget costs: its ledger writes are counted with the others.
 *
 * `npm run bench:evaluator -- --finalize` measures finalize alone at 200,000 items × 2 models instead
 * (finalize-scale.ts).
 */
import '../local/sdk-warning.js';
import { evaluatorSettings, tableDefinitions } from '#shared/contracts/resources.js';
import { queryAll } from '#shared/adapters/dynamodb/queries.js';
import { evaluationKeys } from '#shared/adapters/dynamodb/keys.js';
import { localDocumentClient } from '../local/seed.js';
import { startLocalStack } from '../local/stack.js';
import { startFakeModelServer } from '../local/fake-model-server/server.js';
import { cpuSecondsByRole } from './process-cpu.js';
import { apiCaller, appendSums, dynamoItemBytes, peakMemoryMiB, writeUnits } from './support.js';

if (process.argv.includes('--finalize')) {
  await import('./finalize-scale.js');
  process.exit(process.exitCode ?? 0);
}

const totalItems = Number(process.env.BENCH_ITEMS ?? 10_000);
const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? 50);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 50);
const chunkSize = Number(process.env.BENCH_CHUNK_SIZE ?? 250);
const budgetUsd = process.env.BENCH_BUDGET_USD === undefined ? undefined : Number(process.env.BENCH_BUDGET_USD);

// AWS list prices (us-east-1, 2025): Lambda arm64 per GB-second and per request; DynamoDB on-demand per
// million write and read request units; SQS standard per million requests.
const price = { lambdaGbSecond: 0.0000133334, lambdaRequest: 0.2 / 1e6, dynamoWrite: 0.625 / 1e6, dynamoRead: 0.125 / 1e6, sqsRequest: 0.4 / 1e6 };

const fake = await startFakeModelServer({ latencyMs });
const stack = await startLocalStack({
  port: 0,
  inMemory: true,
  quiet: true,
  dataDir: `/tmp/arbiter-bench-evaluator-${process.pid}`,
  env: { LOG_LEVEL: 'WARN', ARBITER_CHUNK_SIZE: String(chunkSize) },
});
const call = apiCaller(stack.apiUrl, stack.devApiKey);

try {
  const benchmark = await call('POST', '/api/v3/benchmarks', { name: 'Evaluator benchmark', task_type: 'exact_answer' });
  await appendSums(call, benchmark.benchmark_id, totalItems);
  await call('POST', '/api/v3/models', {
    model_id: 'fake-50ms',
    provider: 'openai_compatible',
    provider_model_id: 'fake',
    base_url: fake.url,
    max_concurrency: concurrency,
    timeout_ms: 10_000,
    ...(budgetUsd === undefined ? {} : { pricing: { input_per_million: 1, output_per_million: 1 } }),
  });

  const cpuBefore = cpuSecondsByRole({ evaluator: stack.pids.evaluator! }).evaluator;
  const started = performance.now();
  const created = await call('POST', '/api/v3/evaluations', {
    model_id: 'fake-50ms',
    benchmark_id: benchmark.benchmark_id,
    custom_metrics: ['exact_match'],
    ...(budgetUsd === undefined ? {} : { budget_usd: budgetUsd }),
  });
  let status: any;
  let firstCallSeconds: number | undefined;
  let lastCallSeconds: number | undefined;
  const baseline = fake.stats().requests;
  do {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const calls = fake.stats().requests - baseline;
    if (calls > 0) firstCallSeconds ??= (performance.now() - started) / 1000;
    if (calls >= totalItems) lastCallSeconds ??= (performance.now() - started) / 1000;
    status = await call('GET', `/api/v3/evaluations/${created.evaluation_id}/status`);
  } while (!['completed', 'failed', 'cancelled'].includes(status.status));
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = cpuSecondsByRole({ evaluator: stack.pids.evaluator! }).evaluator;
  const evaluation = await call('GET', `/api/v3/evaluations/${created.evaluation_id}`);

  // Writes, from what was stored under the evaluation: result rows, chunk markers, and per chunk one
  // progress update (counted once per marker) plus the record's own writes (create, running, final).
  const documents = localDocumentClient(stack.env);
  let writes = 0;
  let writeUnitsTotal = 0;
  let markers = 0;
  const stored = await queryAll(documents, {
    TableName: stack.env[tableDefinitions.evaluations.envVar],
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': evaluationKeys.partition('dev', created.evaluation_id) },
  });
  for (const item of stored) {
    const units = writeUnits(dynamoItemBytes(item));
    if (String(item.sk).startsWith(evaluationKeys.chunkPrefix)) {
      markers += 1;
      writes += 2; // the marker and the progress update, in one transaction (billed twice)
      writeUnitsTotal += 2 * units + 2 * writeUnits(2048);
    } else if (item.sk === evaluationKeys.budget('dev', created.evaluation_id).sk) {
      // The ledger row is written by every reservation and settlement (a refused one writes twice).
      const ledgerWrites = Number(item.reserve_count ?? 0) + Number(item.refused_count ?? 0) + Number(item.settle_count ?? 0);
      writes += ledgerWrites;
      writeUnitsTotal += ledgerWrites * units;
    } else if (item.sk === evaluationKeys.record('dev', created.evaluation_id).sk) {
      writes += 3;
      writeUnitsTotal += 3 * units;
    } else {
      writes += 1;
      writeUnitsTotal += units;
    }
  }
  documents.destroy();

  const itemsPerSecond = totalItems / seconds;
  const limit = concurrency / (latencyMs / 1000);
  // Lambda time: a chunk keeps one invocation busy for about chunk_size ÷ (throughput per chunk); with
  // `concurrency` calls in flight per invocation, the billed time is the wall time of each chunk.
  const chunkSeconds = chunkSize / Math.min(itemsPerSecond, limit);
  const perTenThousand = 10_000 / totalItems;
  const lambdaGbSeconds = markers * chunkSeconds * (evaluatorSettings.memorySizeMb / 1024) * perTenThousand;
  const sqsRequests = (1 + markers + Math.ceil(markers / 10) + 2 * (markers + 1)) * perTenThousand; // sends, batched sends, receives, deletes
  const dynamoReads = (markers * (3 + chunkSize / 1000) + totalItems / 1000 + 2) * perTenThousand;
  const cost = {
    lambda_usd: lambdaGbSeconds * price.lambdaGbSecond + (markers + 1) * perTenThousand * price.lambdaRequest,
    dynamodb_usd: writeUnitsTotal * perTenThousand * price.dynamoWrite + dynamoReads * 4 * price.dynamoRead,
    sqs_usd: sqsRequests * price.sqsRequest,
  };

  console.log(
    JSON.stringify(
      {
        items: totalItems,
        status: evaluation.status,
        completed_items: evaluation.progress.completed_items,
        failed_items: evaluation.progress.failed_items,
        model_latency_ms: latencyMs,
        concurrency,
        chunk_size: chunkSize,
        chunks: markers,
        wall_seconds: Math.round(seconds * 10) / 10,
        // Where the time goes: until the first model call (start, fan-out), the calls, then finalize.
        first_model_call_seconds: firstCallSeconds === undefined ? null : Math.round(firstCallSeconds * 10) / 10,
        last_model_call_seconds: lastCallSeconds === undefined ? null : Math.round(lastCallSeconds * 10) / 10,
        items_per_second: Math.round(itemsPerSecond),
        limit_items_per_second: limit,
        ratio_to_limit: Math.round((itemsPerSecond / limit) * 100) / 100,
        dynamodb_writes_per_item: Math.round((writes / totalItems) * 100) / 100,
        dynamodb_write_units_per_item: Math.round((writeUnitsTotal / totalItems) * 100) / 100,
        // The evaluator process's own CPU (user + system) over the run, per item: what a Lambda bills beyond waiting.
        evaluator_cpu_ms_per_item:
          cpuBefore == null || cpuAfter == null ? null : Math.round(((cpuAfter - cpuBefore) * 1000 * 1000) / totalItems) / 1000,
        evaluator_peak_memory_mib: peakMemoryMiB(stack.pids.evaluator!),
        fake_model_requests: fake.stats().requests,
        ...(budgetUsd === undefined ? {} : { budget: evaluation.results?.budget ?? null, stop_reason: evaluation.results?.stop_reason ?? null }),
        aws_estimate_per_10k_items_usd: {
          lambda: Number(cost.lambda_usd.toFixed(5)),
          dynamodb: Number(cost.dynamodb_usd.toFixed(5)),
          sqs: Number(cost.sqs_usd.toFixed(6)),
          total: Number((cost.lambda_usd + cost.dynamodb_usd + cost.sqs_usd).toFixed(5)),
          excludes: 'model tokens',
        },
      },
      null,
      2,
    ),
  );
} finally {
  await stack.stop();
  await fake.stop();
}
