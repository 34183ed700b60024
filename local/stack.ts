/**
 * The whole local stack in one call: DynamoDB Local and the SQS emulator, the tables and queues from the
 * shared definitions, the development seed, then the API server and the evaluator poller as child
 * processes running the unchanged handler modules. `npm start` and the integration tests both use it.
 *
 * Every child runs in its own process group and is stopped as a group; if startup fails half-way, what
 * was started is stopped again, and a hook on our own exit kills whatever is left.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { localDynamoDbClient, localSqsClient } from './aws-local.js';
import { isProcessAlive, type ManagedProcess } from './child-process.js';
import { createResources } from './create-resources.js';
import { isPortFree } from './free-port.js';
import { startDynamoDbLocal } from './dynamodb-local.js';
import { childProcessEnv, handlerEnvironment } from './handler-env.js';
import { defaultDataDir } from './paths.js';
import { apiReadyPrefix, evaluatorReadyLine, seedResultPrefix } from './ready-lines.js';
import { startSqsEmulator } from './sqs-emulator.js';
import { readStackFile, removeStackFile, writeStackFile } from './stack-file.js';
import { spawnTsx } from './tsx-process.js';

export interface LocalStackOptions {
  /** API port; 0 picks a free one. Default 3000. */
  port?: number;
  /** Where DynamoDB Local keeps its files and `local-stack.json` is written. Default `.data/`. */
  dataDir?: string;
  /** Keep DynamoDB data in memory: nothing survives the stop. */
  inMemory?: boolean;
  /** The development tenant's API key; the seed generates one when absent. */
  devApiKey?: string;
  /** Replaces the queues' visibility timeout, so redelivery can be observed in seconds. */
  visibilityTimeoutSeconds?: number;
  /** Extra environment for the handlers (provider keys, LOG_LEVEL, …), on top of the generated one. */
  env?: Record<string, string>;
  /** Do not forward the children's output; keep its tail for error messages instead. */
  quiet?: boolean;
  /**
   * Appends every line each child writes to `<logDir>/<name>-<pid>.log`, for tests that inspect what the
   * stack logged (e.g. that no API key ever appears). The seed's result line, the development key's
   * hand-over to this process, is the one line left out.
   */
  logDir?: string;
}

export interface LocalStack {
  apiUrl: string;
  devApiKey: string;
  sampleBenchmarkId: string;
  sampleBenchmarkIds: string[];
  /** The environment the handlers run with: table names, queue URLs, endpoints, region, credentials. */
  env: Record<string, string>;
  dataDir: string;
  /** Process ids of the children, by role: dynamodb, sqs, api, evaluator. */
  pids: Record<string, number>;
  /**
   * Kills the evaluator process outright (SIGKILL: no batch is finished) and starts a new one, as Lambda
   * does after a crash; messages in flight reappear after their visibility timeout. For fault tests.
   */
  crashEvaluator(): Promise<void>;
  /** The last lines a child printed (kept even when quiet), by role: for tests of what a process logged. */
  recentOutput(name: 'api' | 'evaluator'): string;
  stop(): Promise<void>;
}

interface SeedResult {
  devApiKey: string;
  tenantId: string;
  sampleBenchmarkIds: string[];
}

const childReadyTimeoutMs = 45_000;

function withOutput(message: string, processes: ManagedProcess[], quiet: boolean): string {
  if (!quiet) return message;
  const tails = processes
    .map((managed) => [managed.name, managed.recentOutput()] as const)
    .filter(([, output]) => output)
    .map(([name, output]) => `--- last output of ${name} ---\n${output}`);
  return [message, ...tails].join('\n');
}

/** Runs the development seed in a child process (see run-seed.ts) and returns what it created. */
async function runSeed(
  childEnv: NodeJS.ProcessEnv,
  env: Record<string, string>,
  devApiKey: string | undefined,
  quiet: boolean,
  track: (managed: ManagedProcess) => void,
): Promise<SeedResult> {
  const seed = spawnTsx('run-seed.ts', { ...childEnv, ARBITER_SEED_INPUT: JSON.stringify({ env, devApiKey }) }, { name: 'seed', forward: !quiet });
  track(seed);
  const [exit, line] = await Promise.all([
    seed.exited,
    // A missing line is reported below, with the exit status, rather than as a second error.
    seed.waitForLine((candidate) => (candidate.startsWith(seedResultPrefix) ? candidate : undefined), childReadyTimeoutMs).catch(() => undefined),
  ]);
  if (exit.code !== 0 || !line) {
    throw new Error(`The development seed (local/seed.ts) failed: ${seed.exitReason() ?? 'it reported no result'}\n${seed.recentOutput()}`);
  }
  return JSON.parse(line.slice(seedResultPrefix.length)) as SeedResult;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const quiet = options.quiet ?? false;
  const inMemory = options.inMemory ?? false;
  const dataDir = resolve(options.dataDir ?? defaultDataDir);
  mkdirSync(dataDir, { recursive: true });

  // Two stacks on one data directory would share DynamoDB Local's files and overwrite each other's
  // local-stack.json.
  const previous = readStackFile(dataDir);
  if (previous) {
    const owner = previous.pids.stack;
    if (owner !== undefined && owner !== process.pid && isProcessAlive(owner)) {
      throw new Error(
        `A local stack is already running from ${dataDir} (API at ${previous.apiUrl}, process ${owner}). ` +
          'Stop it first, or use another data directory (ARBITER_DATA_DIR).',
      );
    }
    // A stack killed outright leaves its file behind; its children ended with it (parent-watch.ts).
    removeStackFile(dataDir);
  }

  const port = options.port ?? 3000;
  if (port !== 0 && !(await isPortFree(port))) {
    throw new Error(`Port ${port} is in use: stop the process using it, or choose another port (PORT=3001 npm start).`);
  }

  const processes: ManagedProcess[] = [];
  const killAll = () => {
    for (const managed of processes) managed.killNow();
  };
  process.once('exit', killAll);

  const stopAll = async () => {
    const byName = (name: string) => processes.filter((managed) => managed.name === name);
    // Consumers first, so nothing calls an emulator that is already gone; the poller may be finishing a
    // batch, so it gets longer.
    await Promise.all([...byName('api').map((p) => p.stop(10_000)), ...byName('evaluator').map((p) => p.stop(30_000))]);
    await Promise.all(processes.map((managed) => managed.stop(10_000)));
    process.removeListener('exit', killAll);
  };

  try {
    const track = (managed: ManagedProcess) => {
      processes.push(managed);
      if (options.logDir) managed.captureTo(join(options.logDir, `${managed.name}-${managed.pid}.log`), (line) => !line.startsWith(seedResultPrefix));
    };
    const [dynamoDbStart, sqsStart] = await Promise.allSettled([
      startDynamoDbLocal({ dataDir, inMemory, forwardOutput: !quiet, onSpawn: track }),
      startSqsEmulator({ forwardOutput: !quiet, onSpawn: track }),
    ]);
    if (dynamoDbStart.status === 'rejected') throw dynamoDbStart.reason;
    if (sqsStart.status === 'rejected') throw sqsStart.reason;
    const [dynamoDb, sqs] = [dynamoDbStart.value, sqsStart.value];

    const dynamoDbClient = localDynamoDbClient(dynamoDb.endpoint);
    const sqsClient = localSqsClient(sqs.endpoint);
    let resources: Awaited<ReturnType<typeof createResources>>;
    try {
      resources = await createResources({
        dynamoDb: dynamoDbClient,
        sqs: sqsClient,
        ...(options.visibilityTimeoutSeconds !== undefined ? { visibilityTimeoutSeconds: options.visibilityTimeoutSeconds } : {}),
      });
    } finally {
      dynamoDbClient.destroy();
      sqsClient.destroy();
    }

    const env = {
      ...handlerEnvironment({
        dynamoDbEndpoint: dynamoDb.endpoint,
        // The origin of the queue URLs, not 127.0.0.1: the SQS client sends each request to its QueueUrl's
        // host anyway, and warns on every call when that differs from the configured endpoint.
        sqsEndpoint: new URL(resources.queues.work.url).origin,
        resources,
        logLevel: options.env?.LOG_LEVEL ?? process.env.LOG_LEVEL,
      }),
      ...options.env,
    };
    const childEnv = childProcessEnv(env);

    const seed = await runSeed(childEnv, env, options.devApiKey, quiet, track);

    const api = spawnTsx('api-server.ts', { ...childEnv, PORT: String(port) }, { name: 'api', forward: !quiet });
    const startEvaluator = async () => {
      const evaluator = spawnTsx('evaluator-poller.ts', childEnv, { name: 'evaluator', forward: !quiet });
      track(evaluator);
      await evaluator.waitForLine((line) => (line.trim() === evaluatorReadyLine ? true : undefined), childReadyTimeoutMs);
      return evaluator;
    };
    track(api);
    let [apiUrl, evaluator] = await Promise.all([
      api.waitForLine((line) => (line.startsWith(apiReadyPrefix) ? line.slice(apiReadyPrefix.length).trim() : undefined), childReadyTimeoutMs),
      startEvaluator(),
    ]);

    const pids = Object.fromEntries(processes.filter((managed) => managed.running).map((managed) => [managed.name, managed.pid]));
    writeStackFile(dataDir, {
      apiUrl,
      devApiKey: seed.devApiKey,
      sampleBenchmarkIds: seed.sampleBenchmarkIds,
      env,
      pids: { stack: process.pid, ...pids },
      startedAt: new Date().toISOString(),
    });

    let stopping: Promise<void> | undefined;
    return {
      apiUrl,
      devApiKey: seed.devApiKey,
      sampleBenchmarkId: seed.sampleBenchmarkIds[0] ?? '',
      sampleBenchmarkIds: seed.sampleBenchmarkIds,
      env,
      dataDir,
      pids,
      crashEvaluator: async () => {
        evaluator.killNow();
        await evaluator.exited;
        processes.splice(processes.indexOf(evaluator), 1);
        evaluator = await startEvaluator();
        pids.evaluator = evaluator.pid;
      },
      recentOutput: (name) => (name === 'evaluator' ? evaluator : api).recentOutput(),
      stop: () => {
        stopping ??= stopAll().finally(() => removeStackFile(dataDir));
        return stopping;
      },
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await stopAll();
    throw new Error(withOutput(`The local stack failed to start: ${message}`, processes, quiet), { cause: error });
  }
}
