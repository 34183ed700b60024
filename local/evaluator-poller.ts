/**
 * The local Lambda event source for SQS: long-polls each queue an evaluator function consumes (per the
 * manifest), hands batches to the handler as `SQSEvent`s, and deletes what succeeded, so that
 * visibility timeout, partial batch failures and redrive to the DLQ behave as in AWS. Also runs the
 * `scheduled` functions on their timers (schedules.ts), the other event source that is not HTTP. Run as
 * its own process by the local stack, with the handler environment set.
 *
 * Concurrency: ARBITER_EVALUATOR_CONCURRENCY pollers (default: the deployed maximum concurrency, capped
 * at 4), each with at most one batch in flight, as the event source's maximum concurrency caps
 * concurrent invocations. The cap keeps a laptop, and a developer's provider rate limits, out of trouble.
 *
 * Fault injection for tests: ARBITER_DUPLICATE_DELIVERY=concurrent|sequential hands every batch to the
 * handler twice (at once, or one after the other), the duplicate delivery SQS is allowed to make;
 * ARBITER_TEST_SPIN_ON_MESSAGE (tests only) wedges the process in a synchronous loop on a chosen message.
 *
 * Liveness: with ARBITER_LOCAL_HEARTBEAT_DIR set (the stack sets it), a timer on the main thread writes
 * this process's heartbeat file every second, so `/health` sees a blocked event loop as stale beats; a
 * worker thread ends the process when the stack is gone, even while the main thread is blocked.
 */
import './localhost-dns.js';
import { DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { functionDefinitions, type FunctionDefinition } from '#shared/contracts/function-manifest.js';
import { evaluatorSettings, queueDefinitions, type QueueName } from '#shared/contracts/resources.js';
import { localStackConfig, queueUrl as queueUrlFrom } from '#shared/platform/config.js';
import { localRegion } from './aws-local.js';
import { loadHandler, type AnyHandler } from './handler-modules.js';
import { createLog, errorFields } from './json-log.js';
import { createLambdaContext } from './lambda-context.js';
import { writeHeartbeat } from '#shared/adapters/local-stack/heartbeats.js';
import { killWhenParentDies, onParentExit } from './parent-watch.js';
import { startSchedules } from './schedules.js';
import { evaluatorReadyLine } from './ready-lines.js';
import { batchOutcome, toSqsEvent, type BatchOutcome } from './sqs-event.js';

const localConcurrencyCap = 4;
const log = createLog('arbiter-local-evaluator');

interface Subscription {
  definition: FunctionDefinition;
  queueName: QueueName;
  queueUrl: string;
  queueArn: string;
  handler: AnyHandler;
}

const sqs = new SQSClient({});
const stopController = new AbortController();

async function subscribe(definition: FunctionDefinition, queueName: QueueName): Promise<Subscription> {
  const queueUrl = queueUrlFrom(queueDefinitions[queueName].envVar);
  const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  const queueArn = attributes.Attributes?.QueueArn;
  if (!queueArn) throw new Error(`Queue ${queueUrl} reported no ARN`);
  return { definition, queueName, queueUrl, queueArn, handler: await loadHandler(definition) };
}

/** Lambda ends an invocation at its timeout and retries the batch; the handler itself keeps running here. */
function withTimeout<T>(work: Promise<T>, timeoutSeconds: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Task timed out after ${timeoutSeconds} seconds`)), timeoutSeconds * 1000);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function deleteMessages(subscription: Subscription, messages: Message[]): Promise<number> {
  let deleted = 0;
  for (let start = 0; start < messages.length; start += 10) {
    const chunk = messages.slice(start, start + 10);
    const response = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: subscription.queueUrl,
        Entries: chunk.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
      }),
    );
    deleted += response.Successful?.length ?? 0;
    for (const failure of response.Failed ?? []) log.warn('could not delete a processed message', { queue: subscription.queueName, failure });
  }
  return deleted;
}

const duplicateDelivery = localStackConfig.duplicateDelivery;
const spinOn = localStackConfig.testSpinOnMessage;

/** Test-only (ARBITER_TEST_SPIN_ON_MESSAGE): a computation that never yields, as a runaway one would. */
function spinIfChosen(messages: Message[]): void {
  if (spinOn === undefined || !messages.some((message) => message.Body?.includes(spinOn))) return;
  log.warn('test hook: spinning on this message for good (ARBITER_TEST_SPIN_ON_MESSAGE)', {
    message_ids: messages.map((message) => message.MessageId),
  });
  for (;;) {
    // Blocks the event loop: no timer, signal handler or stdin watch of this thread runs again.
  }
}

const heartbeatMs = 1000;

/** Beats from the main thread's event loop: when that loop is blocked, the beats stop. */
function startHeartbeat(): () => void {
  const dir = localStackConfig.heartbeatDir;
  if (!dir) return () => {};
  const name = localStackConfig.evaluatorName;
  const restarts = localStackConfig.evaluatorRestarts;
  const beat = () => {
    try {
      writeHeartbeat(dir, { name, pid: process.pid, state: 'running', beat_at: Date.now(), restarts });
    } catch (error) {
      log.warn('could not write the heartbeat', errorFields(error));
    }
  };
  beat();
  const timer = setInterval(beat, heartbeatMs);
  return () => clearInterval(timer);
}

/** One invocation of the handler with the batch, and which of its messages it wants retried. */
async function invoke(subscription: Subscription, messages: Message[]): Promise<{ requestId: string; outcome: BatchOutcome }> {
  const { definition } = subscription;
  const context = createLambdaContext({
    functionId: definition.id,
    timeoutSeconds: evaluatorSettings.timeoutSeconds,
    memorySizeMb: evaluatorSettings.memorySizeMb,
  });
  try {
    const result = await withTimeout(
      subscription.handler(toSqsEvent(messages, subscription.queueArn, localRegion), context),
      evaluatorSettings.timeoutSeconds,
    );
    return {
      requestId: context.awsRequestId,
      outcome: batchOutcome(
        result,
        messages.map((message) => message.MessageId ?? ''),
      ),
    };
  } catch (error) {
    log.error('evaluator invocation failed; the batch will be redelivered', {
      function_id: definition.id,
      request_id: context.awsRequestId,
      ...errorFields(error),
    });
    return { requestId: context.awsRequestId, outcome: { kind: 'failed', reason: error instanceof Error ? error.message : String(error) } };
  }
}

async function deliver(subscription: Subscription, messages: Message[]): Promise<void> {
  const started = performance.now();
  const { definition } = subscription;
  const messageIds = messages.map((message) => message.MessageId ?? '');
  const invocations =
    duplicateDelivery === 'concurrent'
      ? await Promise.all([invoke(subscription, messages), invoke(subscription, messages)])
      : duplicateDelivery === 'sequential'
        ? [await invoke(subscription, messages), await invoke(subscription, messages)]
        : [await invoke(subscription, messages)];
  // A message is deleted only when every delivery of it succeeded.
  const retried = new Set(
    invocations.flatMap(({ outcome }) => (outcome.kind === 'partial' ? outcome.failedMessageIds : outcome.kind === 'failed' ? messageIds : [])),
  );
  const severity = { failed: 0, partial: 1, succeeded: 2 } as const;
  const outcome = invocations.map((invocation) => invocation.outcome).sort((a, b) => severity[a.kind] - severity[b.kind])[0]!;
  const deleted = await deleteMessages(
    subscription,
    messages.filter((message) => !retried.has(message.MessageId ?? '')),
  );
  log.info('batch', {
    function_id: definition.id,
    request_id: invocations.map(({ requestId }) => requestId).join(','),
    queue: subscription.queueName,
    outcome: outcome.kind,
    ...(outcome.kind === 'failed' ? { reason: outcome.reason } : {}),
    messages: messages.length,
    deleted,
    retried: retried.size,
    receive_counts: messages.map((message) => Number(message.Attributes?.ApproximateReceiveCount ?? 1)),
    ms: Math.round(performance.now() - started),
  });
}

async function pollLoop(subscription: Subscription, waitTimeSeconds: number): Promise<void> {
  const signal = stopController.signal;
  while (!signal.aborted) {
    let messages: Message[];
    try {
      const response = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: subscription.queueUrl,
          MaxNumberOfMessages: evaluatorSettings.batchSize,
          WaitTimeSeconds: waitTimeSeconds,
          AttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
        { abortSignal: signal },
      );
      messages = response.Messages ?? [];
    } catch (error) {
      if (signal.aborted) return;
      log.warn('receive failed; retrying', { queue: subscription.queueName, ...errorFields(error) });
      await pause(1_000, signal);
      continue;
    }
    // A batch that arrived is delivered even when a stop was requested meanwhile: finishing it is what
    // a graceful stop promises, and dropping it would hide it for a whole visibility timeout.
    if (messages.length === 0) continue;
    spinIfChosen(messages);
    try {
      await deliver(subscription, messages);
    } catch (error) {
      // Only the deletes can fail here; the messages reappear after the visibility timeout.
      log.error('could not settle a batch', { queue: subscription.queueName, ...errorFields(error) });
    }
  }
}

/** A retry back-off that a stop cuts short. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolvePause) => {
    const timer = setTimeout(resolvePause, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolvePause();
      },
      { once: true },
    );
  });
}

async function main(): Promise<void> {
  const concurrency = localStackConfig.evaluatorConcurrency ?? Math.min(evaluatorSettings.maxConcurrency, localConcurrencyCap);
  const waitTimeSeconds = localStackConfig.pollWaitSeconds;
  const consumers = functionDefinitions
    .filter((definition) => definition.kind === 'evaluator')
    .flatMap((definition) =>
      (Object.entries(definition.queues) as [QueueName, string][])
        // `consumeAndSend`: the evaluator is also a producer on its own queue (fan-out); it consumes all the same.
        .filter(([, access]) => access === 'consume' || access === 'consumeAndSend')
        .map(([queueName]) => ({ definition, queueName })),
    );
  const subscriptions = await Promise.all(consumers.map(({ definition, queueName }) => subscribe(definition, queueName)));

  const loops = subscriptions.flatMap((subscription) => Array.from({ length: concurrency }, () => pollLoop(subscription, waitTimeSeconds)));
  log.info('polling', {
    queues: subscriptions.map((subscription) => subscription.queueName),
    concurrency,
    batch_size: evaluatorSettings.batchSize,
    ...(duplicateDelivery !== 'off' ? { duplicate_delivery: duplicateDelivery } : {}),
  });
  // One schedule per stack, as EventBridge has one per deployment: with several evaluator processes
  // (ARBITER_LOCAL_EVALUATORS), only the first runs the Reconciler.
  const stopSchedules = localStackConfig.evaluatorName === 'evaluator-1' ? startSchedules(functionDefinitions, log) : async () => {};
  const stopHeartbeat = startHeartbeat();
  killWhenParentDies();
  process.stdout.write(`${evaluatorReadyLine}\n`);

  const stop = () => {
    if (stopController.signal.aborted) return;
    log.info('stopping: finishing the batches in flight');
    stopController.abort();
    void stopSchedules();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  onParentExit(stop);

  await Promise.all(loops);
  await stopSchedules();
  stopHeartbeat();
  sqs.destroy();
  process.exit(0);
}

main().catch((error: unknown) => {
  log.error('the evaluator poller could not start', errorFields(error));
  process.exit(1);
});
