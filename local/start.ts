/**
 * `npm start`: the whole service on this machine. Configuration (all optional):
 *   PORT                               API port (default 3000)
 *   ARBITER_DEV_API_KEY                the development key (default: generated, and printed)
 *   ARBITER_DATA_DIR                   data directory (default .data/)
 *   ARBITER_IN_MEMORY=1                keep DynamoDB data in memory only
 *   ARBITER_VISIBILITY_TIMEOUT_SECONDS replaces the queues' visibility timeout
 *   ARBITER_LOCAL_EVALUATORS           evaluator processes (default 1)
 *   ARBITER_STOP_GRACE_SECONDS         on stop, an evaluator's time to finish before it is killed (default 30)
 *   LOG_LEVEL                          handler log level (default INFO)
 * See docs/local-stack.md.
 */
import './sdk-warning.js';
import { localStackConfig } from '#shared/platform/config.js';
import { startLocalStack, type LocalStack, type LocalStackOptions } from './stack.js';
import { startBanner } from './banner.js';

function options(): LocalStackOptions {
  const { visibilityTimeoutSeconds, dataDir, devApiKey } = localStackConfig;
  return {
    port: localStackConfig.port,
    inMemory: localStackConfig.inMemory,
    evaluators: localStackConfig.localEvaluators,
    evaluatorStopGraceMs: localStackConfig.stopGraceSeconds * 1000,
    ...(dataDir ? { dataDir } : {}),
    ...(devApiKey ? { devApiKey } : {}),
    ...(visibilityTimeoutSeconds !== undefined ? { visibilityTimeoutSeconds } : {}),
  };
}

async function main(): Promise<void> {
  const startOptions = options();
  let stack: LocalStack | undefined;
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping || !stack) {
      // Before the stack is up (or on a second Ctrl-C) there is nothing to stop gracefully: exiting
      // runs the stack's exit hook, which kills every child it has started.
      process.exit(130);
    }
    stopping = true;
    process.stdout.write(`\n${signal}: stopping the local stack…\n`);
    stack.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, shutdown);

  const started = Date.now();
  stack = await startLocalStack(startOptions);
  process.stdout.write(startBanner(stack, startOptions.inMemory ?? false));
  process.stdout.write(`(started in ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
