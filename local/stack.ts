/**
 * The whole local stack in one call: DynamoDB Local and the SQS emulator, the tables and queues from the
 * shared definitions, the development seed, then the API server and the evaluator poller as child
 * processes running the unchanged handler modules. `npm start` and the integration tests both use it.
 *
 * Every child runs in its own process group and is stopped as a group; if startup fails half-way, what
 * was started is stopped again, and a hook on our own exit kills whatever is left.
 *
 * Once up, every long-running child is supervised (supervisor.ts): one that dies is said on the console
 * and restarted with backoff, the SQS emulator's queues are created again after its restart, and the
 * unfinished evaluations are re-driven at once whenever queued messages may have been lost (at start,
 * after the SQS emulator restarted), since the emulator keeps them in memory only (run-resume.ts).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeHeartbeat } from '#shared/adapters/local-stack/heartbeats.js';
import { localDynamoDbClient, localSqsClient } from './aws-local.js';
import { isProcessAlive, type ManagedProcess } from './child-process.js';
import { createResources, type LocalResources } from './create-resources.js';
import { isPortFree } from './free-port.js';
import { startDynamoDbLocal } from './dynamodb-local.js';
import { childProcessEnv, handlerEnvironment } from './handler-env.js';
import { defaultDataDir } from './paths.js';
import { apiReadyPrefix, evaluatorReadyLine, resumeResultPrefix, seedResultPrefix } from './ready-lines.js';
import { startSqsEmulator } from './sqs-emulator.js';
import { readStackFile, removeStackFile, writeStackFile } from './stack-file.js';
import { Supervised } from './supervisor.js';
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
  /** Evaluator processes to run, each supervised on its own. Default 1 (`ARBITER_LOCAL_EVALUATORS`). */
  evaluators?: number;
  /** How long a stopping evaluator may finish its batches before it is killed. Default 30 000. */
  evaluatorStopGraceMs?: number;
}

/** What the stack said on the console about its processes (deaths, restarts, kills, resumes), newest last. */
export interface StackEvent {
  at: string;
  line: string;
}

export interface LocalStack {
  apiUrl: string;
  devApiKey: string;
  sampleBenchmarkId: string;
  sampleBenchmarkIds: string[];
  /** The environment the handlers run with: table names, queue URLs, endpoints, region, credentials. */
  env: Record<string, string>;
  dataDir: string;
  /**
   * Process ids of the children, by role: dynamodb, sqs, api, evaluator (the first evaluator), evaluator-2,
   * …; kept current as the supervisor restarts them.
   */
  pids: Record<string, number>;
  /**
   * Kills the evaluator process outright (SIGKILL: no batch is finished) and starts a new one, as Lambda
   * does after a crash; messages in flight reappear after their visibility timeout. For fault tests.
   */
  crashEvaluator(): Promise<void>;
  /** What the stack said about its processes so far (also printed unless quiet). */
  events(): StackEvent[];
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
const apiStopGraceMs = 10_000;
const serviceStopGraceMs = 10_000;

interface ResumeResult {
  resumed: { evaluation_id: string; status: string; finished: number; total: number }[];
}

/** Re-drives every unfinished evaluation at once, in a child process (see run-resume.ts). */
async function runResume(
  childEnv: NodeJS.ProcessEnv,
  reason: string,
  quiet: boolean,
  track: (managed: ManagedProcess) => void,
): Promise<ResumeResult> {
  const resume = spawnTsx('run-resume.ts', { ...childEnv, ARBITER_RESUME_REASON: reason }, { name: 'resume', forward: !quiet });
  track(resume);
  const [exit, line] = await Promise.all([
    resume.exited,
    resume.waitForLine((candidate) => (candidate.startsWith(resumeResultPrefix) ? candidate : undefined), childReadyTimeoutMs).catch(() => undefined),
  ]);
  if (exit.code !== 0 || !line) {
    throw new Error(
      `Resuming the unfinished evaluations (local/run-resume.ts) failed: ${resume.exitReason() ?? 'it reported no result'}\n${resume.recentOutput()}`,
    );
  }
  return JSON.parse(line.slice(resumeResultPrefix.length)) as ResumeResult;
}

function describeResume(result: ResumeResult, why: string): string | undefined {
  if (result.resumed.length === 0) return undefined;
  const list = result.resumed.map((one) => `${one.evaluation_id} (${one.status}, ${one.finished}/${one.total})`).join(', ');
  return `Resumed ${result.resumed.length} unfinished evaluation${result.resumed.length === 1 ? '' : 's'} at once (${why}): ${list}`;
}

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
  const evaluatorCount = options.evaluators ?? 1;
  const evaluatorStopGraceMs = options.evaluatorStopGraceMs ?? 30_000;
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

  // The evaluators' heartbeats, read by the local /health; a previous run's slots are not this run's.
  const heartbeatDir = join(dataDir, 'heartbeats');
  rmSync(heartbeatDir, { recursive: true, force: true });
  mkdirSync(heartbeatDir, { recursive: true });

  const events: StackEvent[] = [];
  const say = (line: string) => {
    events.push({ at: new Date().toISOString(), line });
    if (events.length > 500) events.shift();
    if (!quiet) process.stdout.write(`[stack] ${line}\n`);
  };

  const processes: ManagedProcess[] = [];
  const killAll = () => {
    for (const managed of processes) if (managed.running) managed.killNow();
  };
  process.once('exit', killAll);

  const supervised: Supervised[] = [];
  let up = false;
  const stopAll = async () => {
    const stopping = (name: string, graceMs: number) =>
      supervised.filter((one) => one.name === name || one.name.startsWith(`${name}-`)).map((one) => one.stop(graceMs));
    // Consumers first, so nothing calls an emulator that is already gone; the pollers may be finishing a
    // batch, so they get longer.
    await Promise.all([...stopping('api', apiStopGraceMs), ...stopping('evaluator', evaluatorStopGraceMs)]);
    await Promise.all(supervised.map((one) => one.stop(serviceStopGraceMs)));
    // Whatever is not supervised (a seed or resume still running after a failed start).
    await Promise.all(processes.map((managed) => managed.stop(serviceStopGraceMs)));
    process.removeListener('exit', killAll);
  };

  try {
    const track = (managed: ManagedProcess) => {
      processes.push(managed);
      // Once the stack is up, exited children are dropped: a stop never signals a process group whose id
      // was reused, and restarts do not pile up. Before, they stay, for the startup error's output tails.
      void managed.exited.then(() => {
        const at = processes.indexOf(managed);
        if (up && at !== -1) processes.splice(at, 1);
      });
      if (options.logDir) managed.captureTo(join(options.logDir, `${managed.name}-${managed.pid}.log`), (line) => !line.startsWith(seedResultPrefix));
    };
    const pids: Record<string, number> = {};
    // Rewritten when a restart changes a pid, once the stack is up.
    let writeCurrentStackFile: (() => void) | undefined;
    const setPid = (role: string, pid: number) => {
      pids[role] = pid;
      writeCurrentStackFile?.();
    };

    const startDynamoDb = (dynamoDbPort?: number) =>
      startDynamoDbLocal({ dataDir, inMemory, forwardOutput: !quiet, onSpawn: track, ...(dynamoDbPort ? { port: dynamoDbPort } : {}) });
    const startSqs = (sqsPort?: number) => startSqsEmulator({ forwardOutput: !quiet, onSpawn: track, ...(sqsPort ? { port: sqsPort } : {}) });
    const [dynamoDbStart, sqsStart] = await Promise.allSettled([startDynamoDb(), startSqs()]);
    if (dynamoDbStart.status === 'rejected') {
      if (sqsStart.status === 'fulfilled') await sqsStart.value.stop();
      throw dynamoDbStart.reason;
    }
    if (sqsStart.status === 'rejected') {
      await dynamoDbStart.value.stop();
      throw sqsStart.reason;
    }
    const [dynamoDb, sqs] = [dynamoDbStart.value, sqsStart.value];
    const endpoints = { dynamoDb: dynamoDb.endpoint, sqs: sqs.endpoint };

    /** Creates what is missing of the tables and queues: at start, and after an emulator restarted empty. */
    const ensureResources = async (): Promise<LocalResources> => {
      const dynamoDbClient = localDynamoDbClient(endpoints.dynamoDb);
      const sqsClient = localSqsClient(endpoints.sqs);
      try {
        return await createResources({
          dynamoDb: dynamoDbClient,
          sqs: sqsClient,
          ...(options.visibilityTimeoutSeconds !== undefined ? { visibilityTimeoutSeconds: options.visibilityTimeoutSeconds } : {}),
        });
      } finally {
        dynamoDbClient.destroy();
        sqsClient.destroy();
      }
    };
    const created = await ensureResources();

    const env = {
      ...handlerEnvironment({
        dynamoDbEndpoint: dynamoDb.endpoint,
        // The origin of the queue URLs, not 127.0.0.1: the SQS client sends each request to its QueueUrl's
        // host anyway, and warns on every call when that differs from the configured endpoint.
        sqsEndpoint: new URL(created.queues.work.url).origin,
        resources: created,
        logLevel: options.env?.LOG_LEVEL ?? process.env.LOG_LEVEL,
      }),
      ARBITER_LOCAL_HEARTBEAT_DIR: heartbeatDir,
      ...options.env,
    };
    const childEnv = childProcessEnv(env);

    const seed = await runSeed(childEnv, env, options.devApiKey, quiet, track);

    const resume = async (reason: string, why: string) => {
      const line = describeResume(await runResume(childEnv, reason, quiet, track), why);
      if (line) say(line);
    };

    // The emulators, supervised from here on; each restarts on its own port, so every URL stays valid.
    const dynamoDbPort = Number(new URL(dynamoDb.endpoint).port);
    const sqsPort = Number(new URL(sqs.endpoint).port);
    let first: ManagedProcess | undefined = dynamoDb.process;
    supervised.push(
      await Supervised.start({
        name: 'dynamodb',
        say,
        start: async () => {
          if (first) {
            const managed = first;
            first = undefined;
            return managed;
          }
          return (await startDynamoDb(dynamoDbPort)).process;
        },
        afterRestart: async () => {
          await ensureResources();
          if (inMemory) {
            // Everything is gone with it; the development tenant and its key at least come back.
            say(
              'DynamoDB Local kept its data in memory (ARBITER_IN_MEMORY=1): every table was empty after its restart; the development seed runs again.',
            );
            await runSeed(childEnv, env, seed.devApiKey, quiet, track);
          }
          await resume('dynamodb_restart', 'after DynamoDB Local restarted');
        },
        onState: (state, { pid }) => {
          if (state === 'running' && pid) setPid('dynamodb', pid);
        },
      }),
    );
    let firstSqs: ManagedProcess | undefined = sqs.process;
    supervised.push(
      await Supervised.start({
        name: 'sqs',
        say,
        start: async () => {
          if (firstSqs) {
            const managed = firstSqs;
            firstSqs = undefined;
            return managed;
          }
          return (await startSqs(sqsPort)).process;
        },
        afterRestart: async () => {
          // The emulator keeps queues and messages in memory: both are gone.
          await ensureResources();
          await resume('sqs_restart', 'the SQS emulator restarted empty');
        },
        onState: (state, { pid }) => {
          if (state === 'running' && pid) setPid('sqs', pid);
        },
      }),
    );

    let apiPort = port;
    const startApi = async () => {
      const api = spawnTsx('api-server.ts', { ...childEnv, PORT: String(apiPort) }, { name: 'api', forward: !quiet });
      track(api);
      try {
        const url = await api.waitForLine(
          (line) => (line.startsWith(apiReadyPrefix) ? line.slice(apiReadyPrefix.length).trim() : undefined),
          childReadyTimeoutMs,
        );
        // A restart listens where the first one did, so the printed URL stays right.
        apiPort = Number(new URL(url).port);
        return { api, url };
      } catch (error) {
        await api.stop(2_000);
        throw error;
      }
    };
    const slotName = (index: number) => `evaluator-${index + 1}`;
    const startEvaluator = async (index: number, restarts: number) => {
      const evaluator = spawnTsx(
        'evaluator-poller.ts',
        { ...childEnv, ARBITER_EVALUATOR_NAME: slotName(index), ARBITER_EVALUATOR_RESTARTS: String(restarts) },
        { name: evaluatorCount === 1 ? 'evaluator' : slotName(index), forward: !quiet },
      );
      track(evaluator);
      try {
        await evaluator.waitForLine((line) => (line.trim() === evaluatorReadyLine ? true : undefined), childReadyTimeoutMs);
      } catch (error) {
        await evaluator.stop(2_000);
        throw error;
      }
      return evaluator;
    };

    // Registered as soon as each exists, so a failed start still stops the ones that did start.
    const registered = async (starting: Promise<Supervised>) => {
      const one = await starting;
      supervised.push(one);
      return one;
    };
    let apiUrl = '';
    const [api, evaluators] = await Promise.all([
      registered(
        Supervised.start({
          name: 'api',
          say,
          start: async () => {
            const started = await startApi();
            apiUrl ||= started.url;
            return started.api;
          },
          onState: (state, { pid }) => {
            if (state === 'running' && pid) setPid('api', pid);
          },
        }),
      ),
      Promise.all(
        Array.from({ length: evaluatorCount }, (_, index) =>
          registered(
            Supervised.start({
              name: slotName(index),
              say,
              start: (restarts) => startEvaluator(index, restarts),
              onState: (state, { pid, restarts, exit }) => {
                if (state === 'running' && pid) {
                  setPid(index === 0 ? 'evaluator' : slotName(index), pid);
                  return;
                }
                // The slot's heartbeat says so until the next process beats: /health reports it.
                writeHeartbeat(heartbeatDir, {
                  name: slotName(index),
                  pid: null,
                  state: state === 'failed' ? 'failed' : 'restarting',
                  beat_at: Date.now(),
                  restarts,
                  ...(exit ? { last_exit: exit } : {}),
                });
              },
            }),
          ),
        ),
      ),
      // The queue is new and empty: send again every unfinished evaluation's missing work, now rather
      // than when the reconciler would call it stalled.
      resume('local_stack_start', 'the queue starts empty'),
    ]);

    const startedAt = new Date().toISOString();
    writeCurrentStackFile = () =>
      writeStackFile(dataDir, {
        apiUrl,
        devApiKey: seed.devApiKey,
        sampleBenchmarkIds: seed.sampleBenchmarkIds,
        env,
        pids: { stack: process.pid, ...pids },
        startedAt,
      });
    writeCurrentStackFile();
    up = true;
    for (const managed of processes.filter((candidate) => !candidate.running)) processes.splice(processes.indexOf(managed), 1);

    let stopping: Promise<void> | undefined;
    return {
      apiUrl,
      devApiKey: seed.devApiKey,
      sampleBenchmarkId: seed.sampleBenchmarkIds[0] ?? '',
      sampleBenchmarkIds: seed.sampleBenchmarkIds,
      env,
      dataDir,
      pids,
      crashEvaluator: () => evaluators[0]!.replace(),
      events: () => [...events],
      recentOutput: (name) => (name === 'evaluator' ? evaluators[0]! : api).process.recentOutput(),
      stop: () => {
        stopping ??= stopAll().finally(() => {
          removeStackFile(dataDir);
          rmSync(heartbeatDir, { recursive: true, force: true });
        });
        return stopping;
      },
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await stopAll();
    throw new Error(withOutput(`The local stack failed to start: ${message}`, processes, quiet), { cause: error });
  }
}
