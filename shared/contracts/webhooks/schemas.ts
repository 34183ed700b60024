import * as v from 'valibot';
import { CountSchema, pageSchema, TimestampSchema } from '../primitives.js';

/** The final states an endpoint can ask to hear about; every one of them unless it names fewer. */
export const webhookEvents = ['evaluation.completed', 'evaluation.failed', 'evaluation.cancelled'] as const;
export const WebhookEventTypeSchema = v.picklist(webhookEvents, `must be one of ${webhookEvents.join(', ')}`);
export type WebhookEventType = v.InferOutput<typeof WebhookEventTypeSchema>;

/** A tenant may register this many endpoints: each final state fans out to all of them. */
export const MAX_WEBHOOKS_PER_TENANT = 10;

export const CreateWebhookRequestSchema = v.strictObject({
  url: v.pipe(
    v.string('must be a string'),
    v.nonEmpty('must not be empty'),
    v.maxLength(2048, 'must be at most 2048 characters'),
    v.url('must be an absolute URL'),
    v.description('Where events are POSTed: https in the cloud; the egress policy decides which hosts (docs/webhooks.md).'),
  ),
  description: v.optional(v.pipe(v.string('must be a string'), v.maxLength(500, 'must be at most 500 characters'))),
  events: v.optional(
    v.pipe(
      v.array(WebhookEventTypeSchema, 'must be an array of event types'),
      v.nonEmpty('must name at least one event type'),
      v.maxLength(webhookEvents.length, `must have at most ${webhookEvents.length} entries`),
    ),
  ),
});
export type CreateWebhookRequest = v.InferOutput<typeof CreateWebhookRequestSchema>;

export const WebhookSchema = v.strictObject({
  webhook_id: v.pipe(v.string(), v.examples(['hook-01jd2x8k4q7g2m6r9t3v5w8y0z'])),
  url: v.string(),
  description: v.optional(v.string()),
  events: v.array(WebhookEventTypeSchema),
  created_at: TimestampSchema,
});
export type Webhook = v.InferOutput<typeof WebhookSchema>;

/** The create answer: the only time the signing secret is shown. */
export const CreatedWebhookSchema = v.strictObject({
  ...WebhookSchema.entries,
  secret: v.pipe(
    v.string(),
    v.description('`whsec_` and the base64 of 32 random bytes: the HMAC key of `webhook-signature`. Shown once; store it now.'),
  ),
});
export type CreatedWebhook = v.InferOutput<typeof CreatedWebhookSchema>;

export const WebhookPageSchema = pageSchema(WebhookSchema, "The tenant's endpoints, newest first.");

export const DeliveryAttemptSchema = v.strictObject({
  attempt: v.pipe(CountSchema, v.description('1 for the first try.')),
  at: TimestampSchema,
  status_code: v.optional(v.pipe(v.number(), v.integer(), v.description("The receiver's HTTP status, when it answered."))),
  latency_ms: v.pipe(v.number(), v.minValue(0)),
  error: v.optional(v.pipe(v.string(), v.description('Why the attempt failed, when it did: a status, a timeout, a refused address.'))),
});

export const DeliveryStatusSchema = v.picklist(['pending', 'delivered', 'failed']);

export const WebhookDeliverySchema = v.strictObject({
  delivery_id: v.pipe(v.string(), v.description('Also the `webhook-id` header: the same for every attempt, so receivers can deduplicate.')),
  webhook_id: v.string(),
  event_type: WebhookEventTypeSchema,
  evaluation_id: v.string(),
  status: v.pipe(DeliveryStatusSchema, v.description('`failed` once a day of attempts has passed without a 2xx.')),
  attempts: v.array(DeliveryAttemptSchema),
  next_attempt_at: v.optional(v.pipe(TimestampSchema, v.description('When the next attempt is due, while `pending`.'))),
  created_at: TimestampSchema,
});
export type WebhookDelivery = v.InferOutput<typeof WebhookDeliverySchema>;
export type DeliveryAttempt = v.InferOutput<typeof DeliveryAttemptSchema>;

export const WebhookDeliveryPageSchema = pageSchema(WebhookDeliverySchema, "The endpoint's deliveries, newest first.");

/** The JSON body POSTed to an endpoint. */
export const WebhookEventSchema = v.strictObject({
  type: WebhookEventTypeSchema,
  timestamp: TimestampSchema,
  data: v.strictObject({
    evaluation_id: v.string(),
    status: v.picklist(['completed', 'failed', 'cancelled']),
    /** Per model, each metric's mean: what a receiver needs to decide without another request. */
    metrics: v.record(v.string(), v.record(v.string(), v.nullable(v.number()))),
    report_url: v.string(),
    status_url: v.string(),
  }),
});
export type WebhookEvent = v.InferOutput<typeof WebhookEventSchema>;
