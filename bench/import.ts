/**
 * `npm run bench:import`: builds a 100,000-item benchmark through the append route on the local stack
 * (BENCH_ITEMS, BENCH_BATCH to change) and prints items/s, the API process's peak memory, and DynamoDB
 * write units per item (from the stored rows' sizes, by DynamoDB's sizing rule).
 */
import '../local/sdk-warning.js';
import { tableDefinitions } from '#shared/contracts/resources.js';
import { queryAll } from '#shared/adapters/dynamodb/queries.js';
import { benchmarkKeys } from '#shared/adapters/dynamodb/keys.js';
import { localDocumentClient } from '../local/seed.js';
import { startLocalStack } from '../local/stack.js';
import { dynamoItemBytes, peakMemoryMiB, writeUnits } from './support.js';

const totalItems = Number(process.env.BENCH_ITEMS ?? 100_000);
const batchSize = Number(process.env.BENCH_BATCH ?? 1000);

const stack = await startLocalStack({
  port: 0,
  inMemory: true,
  quiet: true,
  dataDir: `/tmp/arbiter-bench-import-${process.pid}`,
  env: { LOG_LEVEL: 'WARN' },
});
try {
  const headers = { authorization: `Bearer ${stack.devApiKey}`, 'content-type': 'application/json' };
  const created = await fetch(`${stack.apiUrl}/api/v3/benchmarks`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ name: 'Import benchmark', task_type: 'exact_answer' }),
  }).then((response) => response.json() as Promise<{ benchmark_id: string }>);

  const started = performance.now();
  let appended = 0;
  while (appended < totalItems) {
    const count = Math.min(batchSize, totalItems - appended);
    const items = Array.from({ length: count }, (_, i) => {
      const n = appended + i;
      return {
        id: `q-${n}`,
        input: `Question ${n}: a shop sells ${n % 97} apples and buys ${n % 13} more. How many apples are there?`,
        expected: String((n % 97) + (n % 13)),
        metadata: { source: 'bench', n },
      };
    });
    const response = await fetch(`${stack.apiUrl}/api/v3/benchmarks/${created.benchmark_id}/items`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ items }),
    });
    if (response.status !== 200) throw new Error(`append answered ${response.status}: ${await response.text()}`);
    appended += count;
  }
  const seconds = (performance.now() - started) / 1000;

  // Write units, from what was stored: every row this import wrote (items and id markers), plus the
  // two conditional updates of the benchmark record per append (lease and commit).
  const documents = localDocumentClient(stack.env);
  const stored = await queryAll(documents, {
    TableName: stack.env[tableDefinitions.benchmarks.envVar],
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': benchmarkKeys.partition('dev', created.benchmark_id) },
  });
  const rows = stored.length;
  let units = stored.reduce((sum, item) => sum + writeUnits(dynamoItemBytes(item)), 0);
  documents.destroy();
  const appends = Math.ceil(totalItems / batchSize);
  units += appends * 2;

  console.log(
    JSON.stringify(
      {
        items: totalItems,
        batch_size: batchSize,
        requests: appends,
        seconds: Math.round(seconds * 10) / 10,
        items_per_second: Math.round(totalItems / seconds),
        api_peak_memory_mib: peakMemoryMiB(stack.pids.api!),
        stored_rows: rows,
        write_units_per_item: Math.round((units / totalItems) * 100) / 100,
      },
      null,
      2,
    ),
  );
} finally {
  await stack.stop();
}
