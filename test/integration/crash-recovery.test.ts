/**
 * A crash or a restart loses nothing and waits little, tried with the real local processes:
 * - an evaluator killed with SIGKILL mid-evaluation is restarted and said on the console, `/health`
 *   reports it meanwhile, and the chunks it held come back through their expired leases (the reconciler
 *   re-sends them) long before the queue's visibility timeout would have returned them;
 * - an evaluator wedged in a synchronous loop is reported stuck by `/health`, and a stop kills it once
 *   its grace period has passed;
 * - a whole stack stopped mid-evaluation and started again on the same data resumes the evaluation at
 *   once (the SQS emulator lost its messages), finishes it exactly, and the status says it was resumed.
 * Timings are generous: the machine may be loaded; what is asserted is the order of magnitude (seconds,
 * not the 10-minute visibility timeout or the stall threshold).
 */
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluationKeys } from '#shared/adapters/dynamodb/keys.js';
import { queueDefinitions, tableDefinitions } from '#shared/contracts/resources.js';
import { localSqsClient } from '../../local/aws-local.js';
import { isProcessAlive } from '../../local/child-process.js';
import { startFakeModelServer, type FakeModelServer } from '../../local/fake-model-server/server.js';
import { localDocumentClient } from '../../local/seed.js';
import { evaluationOutcome } from './support/evaluation-outcome.js';
import { createKnownBenchmark, expectedCounts, finalStatuses, registerFakeModel, type KnownBenchmark } from './support/fault-runs.js';
import { api, stackStartTimeoutMs, startTestStack, waitFor, type TestStack } from './support/local-stack.js';

/** Far beyond every wait below: a message that only this timeout could bring back would fail the test. */
const LONG_VISIBILITY_SECONDS = 900;

let fake: FakeModelServer;

beforeAll(async () => {
  // Slow enough answers that an evaluation is still running when a process is killed or stopped.
  fake = await startFakeModelServer({ seed: 3, latencyMs: 150 });
});

afterAll(async () => {
  await fake?.stop();
});

async function create(client: ReturnType<typeof api>, benchmark: KnownBenchmark): Promise<string> {
  const created = await client.request('POST', '/api/v3/evaluations', {
    body: { model_id: 'fake', model_id_2: 'baseline:reference', benchmark_id: benchmark.benchmarkId, custom_metrics: ['exact_match'] },
  });
  expect(created.status).toBe(202);
  return created.json.evaluation_id as string;
}

async function statusOf(client: ReturnType<typeof api>, evaluationId: string) {
  return (await client.request('GET', `/api/v3/evaluations/${evaluationId}/status`)).json;
}

async function untilFinished(client: ReturnType<typeof api>, evaluationId: string, timeoutMs: number) {
  return waitFor(
    async () => {
      const status = await statusOf(client, evaluationId);
      return finalStatuses.includes(status.status) ? status : undefined;
    },
    { timeoutMs, intervalMs: 250, description: `evaluation ${evaluationId} to reach a final state` },
  );
}

async function record(stack: TestStack, evaluationId: string) {
  const documents = localDocumentClient(stack.env);
  try {
    const { Item } = await documents.send(
      new GetCommand({
        TableName: stack.env[tableDefinitions.evaluations.envVar],
        Key: evaluationKeys.record('dev', evaluationId),
        ConsistentRead: true,
      }),
    );
    return Item;
  } finally {
    documents.destroy();
  }
}

async function leaseCount(stack: TestStack, evaluationId: string): Promise<number> {
  const documents = localDocumentClient(stack.env);
  try {
    const { Items } = await documents.send(
      new QueryCommand({
        TableName: stack.env[tableDefinitions.evaluations.envVar],
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :lease)',
        ExpressionAttributeValues: { ':pk': evaluationKeys.partition('dev', evaluationId), ':lease': evaluationKeys.chunkLeasePrefix },
        ConsistentRead: true,
      }),
    );
    return Items?.length ?? 0;
  } finally {
    documents.destroy();
  }
}

async function visibleMessages(stack: TestStack): Promise<number> {
  const sqs = localSqsClient(stack.env.AWS_ENDPOINT_URL_SQS!);
  try {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: stack.env[queueDefinitions.work.envVar], AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    return Number(Attributes?.ApproximateNumberOfMessages ?? 0);
  } finally {
    sqs.destroy();
  }
}

async function outcomeOf(stack: TestStack, evaluationId: string) {
  const documents = localDocumentClient(stack.env);
  try {
    return await evaluationOutcome(documents, stack.env, evaluationId);
  } finally {
    documents.destroy();
  }
}

describe('an evaluator killed with SIGKILL during an evaluation', () => {
  let stack: TestStack;
  let client: ReturnType<typeof api>;
  let benchmark: KnownBenchmark;

  beforeAll(async () => {
    stack = await startTestStack({
      // A short lease and a reconciler every 2 s: a dead delivery's chunk is re-sent within seconds. The
      // visibility timeout is long, so nothing else could bring those chunks back during the test.
      env: {
        ARBITER_CHUNK_SIZE: '5',
        ARBITER_CHUNK_LEASE_SECONDS: '2',
        ARBITER_SCHEDULE_INTERVAL_SECONDS: '2',
        ARBITER_POLL_WAIT_SECONDS: '1',
        ARBITER_HEARTBEAT_STALE_SECONDS: '5',
        ARBITER_STALL_AFTER_SECONDS: '3600',
      },
      visibilityTimeoutSeconds: LONG_VISIBILITY_SECONDS,
    });
    client = api(stack);
    await registerFakeModel(client, fake, 'fake', { maxConcurrency: 1 });
    benchmark = await createKnownBenchmark(client, 'Crash recovery', 20);
  }, stackStartTimeoutMs);

  afterAll(async () => {
    await stack?.stop();
  }, stackStartTimeoutMs);

  it('is restarted and said on the console, /health reports it meanwhile, and the evaluation ends exactly, its dead chunks re-sent at once', async () => {
    expect((await client.request('GET', '/api/v3/health', { apiKey: null })).status).toBe(200);
    const evaluationId = await create(client, benchmark);
    // Every chunk received (none left visible in the queue) and at least one under a live lease: the
    // killed process holds messages that only their visibility timeout would return.
    await waitFor(async () => (await leaseCount(stack, evaluationId)) > 0 && (await visibleMessages(stack)) === 0, {
      timeoutMs: 60_000,
      intervalMs: 50,
      description: 'a chunk under lease and an empty queue',
    });
    const killedPid = stack.pids.evaluator!;
    const before = await statusOf(client, evaluationId);
    expect(before.status).toBe('running');
    process.kill(killedPid, 'SIGKILL');

    const degraded = await waitFor(
      async () => {
        const health = await client.request('GET', '/api/v3/health', { apiKey: null });
        return health.status === 503 ? health.json : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100, description: '/health to report the dead evaluator' },
    );
    expect(degraded.status).toBe('degraded');
    expect(['dead', 'restarting']).toContain(degraded.checks.evaluators);
    expect(degraded.components.evaluators[0]).toMatchObject({ name: 'evaluator-1' });

    await waitFor(() => stack.events().some((event) => event.line.includes('evaluator-1 restarted')), {
      timeoutMs: 60_000,
      description: 'the evaluator to be restarted',
    });
    const said = stack.events().map((event) => event.line);
    expect(said).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `evaluator-1 \\(pid ${killedPid}\\) killed by signal SIGKILL\\. Restarting it in .+ \\(restart 1; crash 1 of at most 5 in a row\\)`,
        ),
      ),
    );
    expect(stack.pids.evaluator).not.toBe(killedPid);
    expect(isProcessAlive(stack.pids.evaluator!)).toBe(true);

    // Within seconds of the restart, not after the visibility timeout: the re-sent chunks did it.
    const final = await untilFinished(client, evaluationId, 120_000);
    expect(final.status).toBe('completed');
    expect(await outcomeOf(stack, evaluationId)).toMatchObject({ ...expectedCounts(benchmark), chunks_done: 4 });
    // Not by the stall re-drive.
    expect((await record(stack, evaluationId))?.redrives).toBeUndefined();
    await waitFor(async () => (await client.request('GET', '/api/v3/health', { apiKey: null })).status === 200, {
      timeoutMs: 30_000,
      description: '/health to be ok again',
    });
  }, 300_000);
});

describe('one of two evaluators wedged in a synchronous loop', () => {
  let stack: TestStack | undefined;
  let client: ReturnType<typeof api>;

  beforeAll(async () => {
    stack = await startTestStack({
      // Test-only hook: the evaluator blocks its event loop on the first start message it receives.
      env: { ARBITER_TEST_SPIN_ON_MESSAGE: '"type":"start"', ARBITER_HEARTBEAT_STALE_SECONDS: '3' },
      evaluatorStopGraceMs: 3_000,
      evaluators: 2,
    });
    client = api(stack);
  }, stackStartTimeoutMs);

  afterAll(async () => {
    await stack?.stop();
  }, stackStartTimeoutMs);

  it('is reported stuck by /health, and a stop kills it once the grace period has passed', async () => {
    const running = stack!;
    const created = await client.request('POST', '/api/v3/evaluations', {
      body: { model_id: 'baseline:reference', benchmark_id: running.sampleBenchmarkId, custom_metrics: ['exact_match'] },
    });
    expect(created.status).toBe(202);
    const stuck = await waitFor(
      async () => {
        const health = await client.request('GET', '/api/v3/health', { apiKey: null });
        return health.status === 503 && health.json.checks.evaluators === 'stuck' ? health.json : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, description: '/health to report the wedged evaluator' },
    );
    // Whichever of the two received the start message is stuck; the other still beats.
    const reports = stuck.components.evaluators as { name: string; state: string; pid: number }[];
    expect(reports.map((report) => report.name)).toEqual(['evaluator-1', 'evaluator-2']);
    expect(reports.map((report) => report.state).sort()).toEqual(['ok', 'stuck']);
    const wedged = reports.find((report) => report.state === 'stuck')!;
    const healthy = reports.find((report) => report.state === 'ok')!;
    expect([running.pids.evaluator, running.pids['evaluator-2']].sort()).toEqual([wedged.pid, healthy.pid].sort());
    expect(isProcessAlive(wedged.pid)).toBe(true);

    await running.stop();
    stack = undefined;
    // stop() resolves once the processes are gone: the SIGTERM the wedged one could not handle was
    // followed by SIGKILL; the healthy one exited by itself.
    expect(isProcessAlive(wedged.pid)).toBe(false);
    expect(isProcessAlive(healthy.pid)).toBe(false);
    const said = running.events().map((event) => event.line);
    expect(said).toContainEqual(`${wedged.name} (pid ${wedged.pid}) did not exit within 3.0 s of SIGTERM: killed it (SIGKILL)`);
    expect(said.filter((line) => line.includes('did not exit'))).toHaveLength(1);
  }, 180_000);
});

describe('a stack stopped mid-evaluation and started again on the same data', () => {
  let dataDir: string;
  let stack: TestStack | undefined;

  const options = () => ({
    persistentDataDir: dataDir,
    env: { ARBITER_CHUNK_SIZE: '5', ARBITER_CHUNK_LEASE_SECONDS: '3', ARBITER_EVALUATOR_CONCURRENCY: '1', ARBITER_POLL_WAIT_SECONDS: '1' },
    // The default stall threshold is twice this: an evaluation resumed by anything but the start would
    // take far longer than the test waits.
    visibilityTimeoutSeconds: LONG_VISIBILITY_SECONDS,
    evaluatorStopGraceMs: 2_000,
  });

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'arbiter-restart-'));
  });

  afterAll(async () => {
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }, stackStartTimeoutMs);

  it('resumes the evaluation at once on start, finishes it exactly, and the status says it was resumed', async () => {
    stack = await startTestStack(options());
    let client = api(stack);
    await registerFakeModel(client, fake, 'fake', { maxConcurrency: 1 });
    const benchmark = await createKnownBenchmark(client, 'Restart recovery', 40);
    const evaluationId = await create(client, benchmark);
    await waitFor(
      async () => {
        const status = await statusOf(client, evaluationId);
        return status.status === 'running' && status.progress.completed_items + status.progress.failed_items >= 5;
      },
      { timeoutMs: 60_000, intervalMs: 100, description: 'some progress' },
    );
    await stack.stop();
    stack = undefined;

    const restartedAt = Date.now();
    stack = await startTestStack(options());
    client = api(stack);
    const resumedLine = stack.events().find((event) => event.line.startsWith('Resumed '))?.line;
    expect(resumedLine).toMatch(
      new RegExp(`^Resumed 1 unfinished evaluation at once \\(the queue starts empty\\): ${evaluationId} \\(running, (\\d+)/40\\)$`),
    );
    // Stopped with work left: the resume is what finishes it.
    expect(Number(/\((?:running), (\d+)\/40\)/.exec(resumedLine!)?.[1])).toBeLessThan(40);
    const final = await untilFinished(client, evaluationId, 180_000);
    expect(final.status).toBe('completed');
    expect(final.resumes).toBe(1);
    expect(Date.parse(final.resumed_at)).toBeGreaterThanOrEqual(Math.floor(restartedAt / 1000) * 1000);
    expect(await outcomeOf(stack, evaluationId)).toMatchObject({ ...expectedCounts(benchmark), chunks_done: 8 });
    // A resume is not a stall re-drive: it brings the evaluation no closer to failing as stalled.
    const stored = await record(stack, evaluationId);
    expect(stored?.redrives).toBeUndefined();
    expect(stored?.resume_reason).toBe('local_stack_start');
  }, 400_000);
});
