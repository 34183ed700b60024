import { logger } from '../../platform/logger.js';
import { newId } from '../../platform/ids.js';
import type { Evaluation } from '../../contracts/evaluations/schemas.js';
import type { DeliveryAttempt, WebhookEvent, WebhookEventType } from '../../contracts/webhooks/schemas.js';
import type { EvaluationStore } from '../ports/evaluation-store.js';
import type { WebhookSender } from '../ports/webhook-sender.js';
import type { DueDelivery, OutboxEntry, WebhookStore } from '../ports/webhook-store.js';
import { signWebhook } from './signature.js';

/**
 * Waits after the n-th failed attempt (Standard Webhooks' suggested schedule, minus the sub-minute steps
 * a one-minute sweep cannot honour). An attempt that would fall past a day after the event is not made:
 * the delivery ends `failed` with seven attempts (about 17.6 h of retries).
 */
export const RETRY_DELAYS_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3600_000, 5 * 3600_000, 10 * 3600_000];
export const RETRY_WINDOW_MS = 24 * 3600_000;
/** A receiver gets this long to answer; a hanging one costs the sweep this much and no more. */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** Deliveries in flight at once in one sweep, so slow receivers of one tenant cannot hold up the rest for long. */
const SWEEP_CONCURRENCY = 8;
const SWEEP_BATCH = 50;

export interface DeliveryDeps {
  webhooks: WebhookStore;
  evaluations: Pick<EvaluationStore, 'get'>;
  sender: WebhookSender;
  now?: () => number;
  /** The service's public origin, for absolute links in events; relative paths without it. */
  publicUrl?: string;
}

const eventTypeOf = (status: OutboxEntry['status']): WebhookEventType => `evaluation.${status}`;

/** The event a receiver gets: small, with each model's metric means, and links for the rest. */
export function eventFor(entry: OutboxEntry, evaluation: Evaluation | undefined, publicUrl = ''): WebhookEvent {
  const metrics: Record<string, Record<string, number | null>> = {};
  for (const model of evaluation?.results?.models ?? []) {
    metrics[model.model_id] = Object.fromEntries(Object.entries(model.metrics).map(([name, aggregate]) => [name, aggregate.mean]));
  }
  const base = `${publicUrl.replace(/\/$/, '')}/api/v3/evaluations/${encodeURIComponent(entry.evaluation_id)}`;
  return {
    type: eventTypeOf(entry.status),
    timestamp: entry.at,
    data: { evaluation_id: entry.evaluation_id, status: entry.status, metrics, report_url: `${base}/report`, status_url: `${base}/status` },
  };
}

/** Turns final states into one pending delivery per subscribed endpoint of their tenant. */
async function expandOutbox(deps: DeliveryDeps, now: number): Promise<number> {
  let written = 0;
  for (const entry of await deps.webhooks.outbox(SWEEP_BATCH)) {
    const type = eventTypeOf(entry.status);
    const endpoints = (await deps.webhooks.all(entry.tenant_id)).filter((webhook) => webhook.events.includes(type));
    const body =
      endpoints.length === 0 ? '' : JSON.stringify(eventFor(entry, await deps.evaluations.get(entry.tenant_id, entry.evaluation_id), deps.publicUrl));
    const at = new Date(now).toISOString();
    const deliveries: DueDelivery[] = endpoints.map((webhook) => ({
      delivery_id: newId('msg', now),
      webhook_id: webhook.webhook_id,
      tenant_id: entry.tenant_id,
      event_type: type,
      evaluation_id: entry.evaluation_id,
      status: 'pending',
      attempts: [],
      next_attempt_at: at,
      created_at: at,
      body,
    }));
    try {
      await deps.webhooks.expandOutbox(entry, deliveries);
      written += deliveries.length;
    } catch (error) {
      // Another sweep expanded it first (the outbox row's condition failed), or the write failed: either
      // way the entry is still there or already done, and the next sweep settles it.
      logger.warn('webhook outbox entry not expanded', { evaluation_id: entry.evaluation_id, error: String(error) });
    }
  }
  return written;
}

/** What happens after an attempt: done, or the next try if it still falls inside the day. */
export function nextStep(delivery: Pick<DueDelivery, 'created_at' | 'attempts'>, succeeded: boolean, now: number) {
  if (succeeded) return { status: 'delivered' as const };
  const made = delivery.attempts.length + 1;
  const next = now + RETRY_DELAYS_MS[Math.min(made - 1, RETRY_DELAYS_MS.length - 1)]!;
  if (next > Date.parse(delivery.created_at) + RETRY_WINDOW_MS) return { status: 'failed' as const };
  return { status: 'pending' as const, next_attempt_at: new Date(next).toISOString() };
}

async function attempt(deps: DeliveryDeps, delivery: DueDelivery, now: () => number): Promise<void> {
  const dueAt = delivery.next_attempt_at;
  if (!dueAt) return;
  // The lease outlasts the attempt, so a sweep that overlaps this one skips the delivery instead of sending it twice.
  const lease = new Date(now() + DELIVERY_TIMEOUT_MS + 60_000).toISOString();
  if (!(await deps.webhooks.claim(delivery, dueAt, lease))) return;
  const webhook = await deps.webhooks.get(delivery.tenant_id, delivery.webhook_id);
  const started = now();
  let outcome: { statusCode?: number; error?: string };
  if (!webhook) outcome = { error: 'the webhook was deleted' };
  else {
    const headers = signWebhook(webhook.secret, delivery.delivery_id, Math.floor(started / 1000), delivery.body);
    outcome = await deps.sender.post(webhook.url, { 'content-type': 'application/json', ...headers }, delivery.body, DELIVERY_TIMEOUT_MS);
  }
  const finished = now();
  const succeeded = outcome.statusCode !== undefined && outcome.statusCode >= 200 && outcome.statusCode < 300;
  const record: DeliveryAttempt = {
    attempt: delivery.attempts.length + 1,
    at: new Date(started).toISOString(),
    ...(outcome.statusCode === undefined ? {} : { status_code: outcome.statusCode }),
    latency_ms: finished - started,
    ...(succeeded ? {} : { error: outcome.error ?? `the receiver answered ${outcome.statusCode}` }),
  };
  const next = webhook ? nextStep(delivery, succeeded, finished) : { status: 'failed' as const };
  await deps.webhooks.recordAttempt(delivery, lease, record, next);
  logger.info('webhook attempt', {
    webhook_id: delivery.webhook_id,
    delivery_id: delivery.delivery_id,
    evaluation_id: delivery.evaluation_id,
    ...record,
    next: next.status,
  });
}

/**
 * One sweep, run every minute by the scheduler: announces new final states, then makes every attempt
 * that is due. It runs in its own function, off the evaluator's path: a receiver that hangs delays only
 * deliveries, for at most DELIVERY_TIMEOUT_MS each, with SWEEP_CONCURRENCY in flight.
 */
export async function sweepWebhooks(deps: DeliveryDeps): Promise<{ queued: number; attempted: number }> {
  const now = deps.now ?? Date.now;
  const queued = await expandOutbox(deps, now());
  const due = await deps.webhooks.due(new Date(now()).toISOString(), SWEEP_BATCH);
  let next = 0;
  const worker = async () => {
    while (next < due.length) {
      const delivery = due[next++]!;
      try {
        await attempt(deps, delivery, now);
      } catch (error) {
        // The lease runs out and the next sweep tries again; one bad row must not stop the others.
        logger.error('webhook attempt could not be recorded', { delivery_id: delivery.delivery_id, error: String(error) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(SWEEP_CONCURRENCY, due.length) }, worker));
  return { queued, attempted: due.length };
}
