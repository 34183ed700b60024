import { readFile } from 'node:fs/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as v from 'valibot';
import { scopes } from '#shared/contracts/auth/scopes.js';
import { newBenchmark } from '#shared/domain/benchmarks/create-benchmark.js';
import { CreateBenchmarkRequestSchema } from '#shared/contracts/benchmarks/schemas.js';
import { tableDefinitions } from '#shared/contracts/resources.js';
import { DynamoDbApiKeyStore } from '#shared/adapters/dynamodb/api-key-store.js';
import { DynamoDbBenchmarkStore } from '#shared/adapters/dynamodb/benchmark-store.js';

export const DEV_TENANT_ID = 'dev';

const sampleFiles = ['arithmetic.json', 'capitals.json', 'summaries.json'];

export interface SeedResult {
  devApiKey: string;
  tenantId: string;
  sampleBenchmarkIds: string[];
}

export function localDocumentClient(env: Record<string, string>): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    endpoint: env.AWS_ENDPOINT_URL_DYNAMODB,
    region: env.AWS_REGION,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID ?? 'local', secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? 'local' },
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/**
 * Gives the development tenant an API key and the sample benchmarks, through the same stores the
 * handlers use. Safe to run on every start: what already exists is kept.
 */
export async function seedDevelopmentData(env: Record<string, string>, options: { devApiKey?: string } = {}): Promise<SeedResult> {
  const client = localDocumentClient(env);
  const keys = new DynamoDbApiKeyStore({ client, tableName: env[tableDefinitions.apiKeys.envVar] });
  const benchmarks = new DynamoDbBenchmarkStore({ client, tableName: env[tableDefinitions.benchmarks.envVar] });

  let devApiKey = options.devApiKey;
  if (!devApiKey || !(await keys.resolve(devApiKey))) {
    const issued = await keys.issue({ tenantId: DEV_TENANT_ID, scopes: [...scopes], name: 'development', plaintextKey: devApiKey });
    devApiKey = issued.key;
  }

  const sampleBenchmarkIds: string[] = [];
  for (const file of sampleFiles) {
    const raw = JSON.parse(await readFile(new URL(`./samples/${file}`, import.meta.url), 'utf8')) as Record<string, unknown>;
    const { benchmark_id: benchmarkId, ...request } = raw;
    if (typeof benchmarkId !== 'string') throw new Error(`local/samples/${file} has no benchmark_id`);
    sampleBenchmarkIds.push(benchmarkId);
    if (await benchmarks.get(DEV_TENANT_ID, benchmarkId)) continue;
    const { benchmark, items } = newBenchmark(DEV_TENANT_ID, v.parse(CreateBenchmarkRequestSchema, request), benchmarkId);
    await benchmarks.create(benchmark, items);
  }
  client.destroy();
  return { devApiKey, tenantId: DEV_TENANT_ID, sampleBenchmarkIds };
}
