/**
 * Every key Arbiter stores under, and nothing else builds one (docs/data-model.md draws the tables).
 * Tenant data always sits under `TENANT#<tenant>`, so no query can reach another tenant's rows.
 */

const padded = (n: number, digits: number) => String(n).padStart(digits, '0');

const CHUNK_PREFIX = 'CHUNK#';
const LEASE_PREFIX = 'LEASE#';
const RESULT_PREFIX = 'RESULT#';
const ITEM_PREFIX = 'ITEM#';
const ACTIVE_PARTITION = 'ACTIVE';
const DEAD_LETTER_PARTITION = 'DEADLETTER';

const evaluationPartition = (tenantId: string, evaluationId: string) => `TENANT#${tenantId}#EVAL#${evaluationId}`;
const evaluationListing = (tenantId: string) => `TENANT#${tenantId}#EVALS`;
const evaluationsOfBenchmark = (tenantId: string, benchmarkId: string) => `TENANT#${tenantId}#BENCH#${benchmarkId}`;
/**
 * One partition per tenant, benchmark, model set and tag: a `latest:k=v` baseline reads only evaluations
 * that could match, newest first. Components are length-prefixed so that no choice of ids or tag values
 * can make two different tuples share a partition.
 */
const taggedPartition = (tenantId: string, benchmarkId: string, models: readonly string[], tag: string, value: string) =>
  `TENANT#${tenantId}#TAGGED#${[benchmarkId, models.join('+'), tag, value].map((part) => `${part.length}:${part}`).join('#')}`;

export const evaluationKeys = {
  /** The evaluation's record, its chunk markers and its result rows share this partition. */
  partition: evaluationPartition,
  record: (tenantId: string, evaluationId: string) => ({ pk: evaluationPartition(tenantId, evaluationId), sk: 'EVAL' }),
  listing: (tenantId: string, evaluationId: string) => ({ gsi1pk: evaluationListing(tenantId), gsi1sk: evaluationId }),
  listingPartition: evaluationListing,
  byBenchmark: (tenantId: string, benchmarkId: string, evaluationId: string) => ({
    gsi2pk: evaluationsOfBenchmark(tenantId, benchmarkId),
    gsi2sk: evaluationId,
  }),
  byBenchmarkPartition: evaluationsOfBenchmark,
  idempotency: (tenantId: string, key: string) => ({ pk: `TENANT#${tenantId}#IDEMPOTENCY#${key}`, sk: 'IDEMPOTENCY' }),
  /** One marker per tag of an evaluation, written with it; sorted by the (time-ordered) evaluation id. */
  tagged: (tenantId: string, benchmarkId: string, models: readonly string[], tag: string, value: string, evaluationId: string) => ({
    pk: taggedPartition(tenantId, benchmarkId, models, tag, value),
    sk: evaluationId,
  }),
  taggedPartition,
  chunk: (tenantId: string, evaluationId: string, chunk: number) => ({
    pk: evaluationPartition(tenantId, evaluationId),
    sk: `${CHUNK_PREFIX}${padded(chunk, 6)}`,
  }),
  /** What the sort key of every chunk marker begins with. */
  chunkPrefix: CHUNK_PREFIX,
  /** The delivery that may write a chunk's results, until the chunk is counted (then the row is gone). */
  chunkLease: (tenantId: string, evaluationId: string, chunk: number) => ({
    pk: evaluationPartition(tenantId, evaluationId),
    sk: `${LEASE_PREFIX}${padded(chunk, 6)}`,
  }),
  /** What the sort key of every chunk lease begins with. */
  chunkLeasePrefix: LEASE_PREFIX,
  /**
   * One sample's row. Sample 0 keeps the unrepeated key, so rows written before repeats existed stay
   * where they were; later samples sort right after it (`#` sorts before every digit's successor key).
   */
  result: (tenantId: string, evaluationId: string, position: number, repeat = 0) => ({
    pk: evaluationPartition(tenantId, evaluationId),
    sk: `${RESULT_PREFIX}${padded(position, 7)}${repeat > 0 ? `#${padded(repeat, 2)}` : ''}`,
  }),
  /** A sort key after every sample of the item at `position` and before the next item's. */
  resultsOfPositionEnd: (position: number) => `${RESULT_PREFIX}${padded(position, 7)}#99`,
  /** What the sort key of every result row begins with. */
  resultPrefix: RESULT_PREFIX,
  /** The evaluation's spend ledger, when it runs under a budget (spend-ledger.ts). */
  budget: (tenantId: string, evaluationId: string) => ({ pk: evaluationPartition(tenantId, evaluationId), sk: 'BUDGET' }),
  /** Present only while the evaluation is unfinished, sorted by last progress. */
  active: (updatedAt: string) => ({ gsi3pk: ACTIVE_PARTITION, gsi3sk: updatedAt }),
  activePartition: ACTIVE_PARTITION,
};

const comparisonPartition = (tenantId: string, comparisonId: string) => `TENANT#${tenantId}#CMP#${comparisonId}`;

/** A comparison's record and its changed items share a partition; an item sorts under each change it shows. */
export const comparisonKeys = {
  partition: comparisonPartition,
  record: (tenantId: string, comparisonId: string) => ({ pk: comparisonPartition(tenantId, comparisonId), sk: 'CMP' }),
  item: (tenantId: string, comparisonId: string, change: 'regressed' | 'improved', position: number) => ({
    pk: comparisonPartition(tenantId, comparisonId),
    sk: `${change.toUpperCase()}#${padded(position, 7)}`,
  }),
  itemPrefix: (change: 'regressed' | 'improved') => `${change.toUpperCase()}#`,
};

/**
 * Response-cache entries, in the evaluations table: one partition per tenant and call hash, so the key
 * of an identical call made by another tenant names a different item, and hits spread over partitions.
 */
export const responseCacheKeys = {
  entry: (tenantId: string, hash: string) => ({ pk: `TENANT#${tenantId}#CACHE#${hash}`, sk: 'CACHE' }),
};

/** Messages the evaluator could not use, across tenants, in the evaluations table. */
export const deadLetterKeys = {
  partition: DEAD_LETTER_PARTITION,
  entry: (recordedAt: string, messageId: string) => ({ pk: DEAD_LETTER_PARTITION, sk: `${recordedAt}#${messageId}` }),
};

/** A key the health check reads: no row has it, the read only proves the table answers. */
export const healthProbeKey = { pk: 'HEALTH', sk: 'HEALTH' };

const benchmarkPartition = (tenantId: string, benchmarkId: string) => `TENANT#${tenantId}#BENCH#${benchmarkId}`;

export const benchmarkKeys = {
  partition: benchmarkPartition,
  meta: (tenantId: string, benchmarkId: string) => ({ pk: benchmarkPartition(tenantId, benchmarkId), sk: 'META' }),
  item: (tenantId: string, benchmarkId: string, at: number) => ({
    pk: benchmarkPartition(tenantId, benchmarkId),
    sk: `${ITEM_PREFIX}${padded(at, 7)}`,
  }),
  /** One marker per item id: keeps ids unique across appends without reading every item. */
  itemId: (tenantId: string, benchmarkId: string, itemId: string) => ({
    pk: benchmarkPartition(tenantId, benchmarkId),
    sk: `ID#${itemId}`,
  }),
  listing: (tenantId: string) => `TENANT#${tenantId}#BENCHMARKS`,
};

export const modelKeys = {
  record: (tenantId: string, modelId: string) => ({ pk: `TENANT#${tenantId}#MODEL#${modelId}`, sk: 'MODEL' }),
  listing: (tenantId: string) => `TENANT#${tenantId}#MODELS`,
  /** The tenant's model settings: which registered model judges by default. */
  settings: (tenantId: string) => ({ pk: `TENANT#${tenantId}#MODEL-SETTINGS`, sk: 'JUDGE' }),
};

export const apiKeyKeys = {
  /** A key is found by the digest of its plaintext, never by the plaintext. */
  record: (digest: string) => ({ pk: `KEY#${digest}` }),
  listing: (tenantId: string) => `TENANT#${tenantId}#KEYS`,
};

/** A tenant's settings (quotas, default budget), beside its API keys: a tenant is known by its keys. */
export const tenantSettingsKeys = {
  record: (tenantId: string) => ({ pk: `TENANT#${tenantId}#SETTINGS` }),
};

const activePartition = (tenantId: string) => `TENANT#${tenantId}#ACTIVE-EVALS`;
const ACTIVE_MARKER_PREFIX = 'EVAL#';
const usagePartition = (tenantId: string, month: string) => `TENANT#${tenantId}#USAGE#${month}`;
const USAGE_LINE_PREFIX = 'EVAL#';

/** The tenant's quota bookkeeping, in the evaluations table so it commits with the evaluations it counts. */
export const tenantUsageKeys = {
  /** One marker per pending or running evaluation: the active-evaluation quota counts these. */
  activeMarker: (tenantId: string, evaluationId: string) => ({ pk: activePartition(tenantId), sk: `${ACTIVE_MARKER_PREFIX}${evaluationId}` }),
  activePartition,
  activeMarkerPrefix: ACTIVE_MARKER_PREFIX,
  /** Versioned by every create under the quota, so two creates cannot both take the last slot. */
  activeGuard: (tenantId: string) => ({ pk: activePartition(tenantId), sk: 'GUARD' }),
  /** A month's counters and spend total. */
  totals: (tenantId: string, month: string) => ({ pk: usagePartition(tenantId, month), sk: 'TOTALS' }),
  /** One evaluation's spend and tokens, by model and judge, in the month it finished. */
  line: (tenantId: string, month: string, evaluationId: string) => ({
    pk: usagePartition(tenantId, month),
    sk: `${USAGE_LINE_PREFIX}${evaluationId}`,
  }),
  usagePartition,
  linePrefix: USAGE_LINE_PREFIX,
};

/** Fixed one-minute windows of a tenant's request count; each expires soon after its minute. */
export const requestRateKeys = {
  window: (tenantId: string, minute: number) => ({ pk: `RATE#${tenantId}#${minute}` }),
};

const providerLimitPartition = (tenantId: string, limiterKey: string) => `TENANT#${tenantId}#LIMIT#${limiterKey}`;
const SLOT_PREFIX = 'SLOT#';

/**
 * A model configuration's deployment-wide limiter, in the evaluations table: its adaptive state, its
 * leased slots and its per-minute request windows share one partition. `SLOT#…` and `STATE` sort after
 * `RPM#…`, so one query from `SLOT#` on reads the slots and the state without the windows.
 */
export const providerLimitKeys = {
  partition: providerLimitPartition,
  state: (tenantId: string, limiterKey: string) => ({ pk: providerLimitPartition(tenantId, limiterKey), sk: 'STATE' }),
  slot: (tenantId: string, limiterKey: string, slot: number) => ({
    pk: providerLimitPartition(tenantId, limiterKey),
    sk: `${SLOT_PREFIX}${padded(slot, 3)}`,
  }),
  slotPrefix: SLOT_PREFIX,
  window: (tenantId: string, limiterKey: string, windowStart: number) => ({
    pk: providerLimitPartition(tenantId, limiterKey),
    sk: `RPM#${windowStart}`,
  }),
};

const webhookPartition = (tenantId: string, webhookId: string) => `TENANT#${tenantId}#WEBHOOK#${webhookId}`;
const WEBHOOKS_DUE_PARTITION = 'WEBHOOKS_DUE';
const WEBHOOK_OUTBOX_PARTITION = 'WEBHOOK_OUTBOX';

/** Endpoints and their deliveries, in the evaluations table (deliveries expire by its TTL). */
export const webhookKeys = {
  record: (tenantId: string, webhookId: string) => ({ pk: webhookPartition(tenantId, webhookId), sk: 'WEBHOOK' }),
  listing: (tenantId: string) => `TENANT#${tenantId}#WEBHOOKS`,
  delivery: (tenantId: string, webhookId: string, deliveryId: string) => ({
    pk: webhookPartition(tenantId, webhookId),
    sk: `DELIVERY#${deliveryId}`,
  }),
  deliveryListing: (tenantId: string, webhookId: string) => `${webhookPartition(tenantId, webhookId)}#DELIVERIES`,
  /** On gsi3 (which the reconciler reads only under `ACTIVE`): pending deliveries by when they are due. */
  due: (nextAttemptAt: string, deliveryId: string) => ({ gsi3pk: WEBHOOKS_DUE_PARTITION, gsi3sk: `${nextAttemptAt}#${deliveryId}` }),
  duePartition: WEBHOOKS_DUE_PARTITION,
  /**
   * Written in the same transaction as an evaluation's final state, so no final state goes unannounced
   * even when the writer dies right after; the sweep turns it into one delivery per endpoint.
   */
  outbox: (tenantId: string, evaluationId: string) => ({ pk: evaluationPartition(tenantId, evaluationId), sk: 'WEBHOOK_OUTBOX' }),
  outboxIndex: (at: string, evaluationId: string) => ({ gsi3pk: WEBHOOK_OUTBOX_PARTITION, gsi3sk: `${at}#${evaluationId}` }),
  outboxPartition: WEBHOOK_OUTBOX_PARTITION,
};
