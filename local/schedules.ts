/**
 * The local stand-in for EventBridge schedules: runs each `scheduled` function of the manifest every
 * `scheduleMinutes`, with a Scheduled Event as EventBridge sends it. A run that is still going when the
 * next is due is not overlapped; the next one is skipped.
 */
import type { ScheduledEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type { FunctionDefinition } from '#shared/contracts/function-manifest.js';
import { evaluatorSettings } from '#shared/contracts/resources.js';
import { localStackConfig } from '#shared/platform/config.js';
import { localRegion } from './aws-local.js';
import { loadHandler } from './handler-modules.js';
import { errorFields, type createLog } from './json-log.js';
import { createLambdaContext } from './lambda-context.js';

type Log = ReturnType<typeof createLog>;

function scheduledEvent(definition: FunctionDefinition): ScheduledEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: localRegion,
    resources: [`arn:aws:events:${localRegion}:000000000000:rule/arbiter-local-${definition.id}`],
    detail: {},
  };
}

/** `ARBITER_SCHEDULE_INTERVAL_SECONDS` runs every schedule more often locally (tests, demos). */
function intervalMs(definition: FunctionDefinition): number {
  const override = localStackConfig.scheduleIntervalSeconds;
  return override !== undefined ? override * 1000 : definition.scheduleMinutes! * 60_000;
}

/** Starts the timers; the returned function stops them and resolves once no run is in progress. */
export function startSchedules(definitions: FunctionDefinition[], log: Log): () => Promise<void> {
  const running = new Set<Promise<void>>();
  const timers = definitions
    .filter((definition) => definition.kind === 'scheduled' && definition.scheduleMinutes)
    .filter((definition) => !localStackConfig.skippedSchedules.includes(definition.id))
    .map((definition) => {
      let current: Promise<void> | undefined;
      const run = async () => {
        const started = performance.now();
        const context = createLambdaContext({ functionId: definition.id, timeoutSeconds: evaluatorSettings.timeoutSeconds });
        try {
          const handler = await loadHandler(definition);
          await handler(scheduledEvent(definition), context);
          log.info('scheduled run', { function_id: definition.id, request_id: context.awsRequestId, ms: Math.round(performance.now() - started) });
        } catch (error) {
          log.error('scheduled run failed', { function_id: definition.id, request_id: context.awsRequestId, ...errorFields(error) });
        }
      };
      log.info('scheduled', { function_id: definition.id, every_minutes: definition.scheduleMinutes });
      return setInterval(() => {
        if (current) {
          log.warn('previous scheduled run still in progress; skipping this one', { function_id: definition.id });
          return;
        }
        current = run().finally(() => {
          running.delete(current!);
          current = undefined;
        });
        running.add(current);
      }, intervalMs(definition));
    });
  return async () => {
    for (const timer of timers) clearInterval(timer);
    await Promise.all(running);
  };
}
