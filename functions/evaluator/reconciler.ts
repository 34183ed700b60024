import type { ScheduledEvent } from 'aws-lambda';
import { resendOrphanedChunks } from '#shared/domain/evaluator/orphaned-chunks.js';
import { reconcile } from '#shared/domain/evaluator/reconcile.js';
import { logger } from '#shared/platform/logger.js';
import { flushMetrics } from '#shared/platform/metrics.js';
import { serviceConfig } from '#shared/platform/config.js';
import { queueDefinitions } from '#shared/contracts/resources.js';
import { evaluatorDeps } from './evaluator-deps.js';

/**
 * Longer than a message's visibility timeout, so a chunk that is merely waiting to be redelivered is not
 * mistaken for a lost one. `ARBITER_STALL_AFTER_SECONDS` shortens it on the local stack and in tests.
 */
const stallAfterMs = (serviceConfig.stallAfterSeconds ?? 2 * queueDefinitions.work.visibilityTimeoutSeconds) * 1000;
const maxRedrives = serviceConfig.maxRedrives;
/** Evaluations checked per run for chunks whose delivery died (one query each), latest progress first. */
const orphanScanLimit = 100;

export const handler = async (_event: ScheduledEvent) => {
  try {
    // Lost chunks first: an evaluation with recent progress is not stalled, only missing a chunk.
    const orphans = await resendOrphanedChunks(evaluatorDeps, { activeWithinMs: stallAfterMs, maxEvaluations: orphanScanLimit });
    const outcome = await reconcile(evaluatorDeps, { stallAfterMs, maxRedrives });
    logger.info('reconciled', { ...outcome, orphan_scan: orphans });
    return { ...outcome, orphansResent: orphans.resent };
  } finally {
    flushMetrics();
  }
};
