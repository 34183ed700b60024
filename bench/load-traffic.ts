/**
 * The request mix of `npm run bench:load`: each request is a create (`POST /api/v3/evaluations`) or a
 * status read (`GET /api/v3/evaluations/{id}/status`) of an evaluation known to exist, chosen when it is
 * sent. Counts, codes and latencies are kept per kind.
 */
import { mulberry32 } from '#shared/domain/stats/random.js';

export type RequestKind = 'create' | 'status';
export const requestKinds: readonly RequestKind[] = ['create', 'status'];

export interface TrafficOptions {
  apiKey: string;
  benchmarkId: string;
  /** Share of creates among all requests, 0 < share ≤ 1. */
  createShare: number;
  /** Seeds the choice of which evaluation a status call reads, so runs are repeatable. */
  seed: number;
  /** Evaluations created before this traffic starts, for status calls to read from the first request. */
  knownIds?: readonly string[];
}

export interface PlannedRequest {
  kind: RequestKind;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** The evaluation a status call reads. */
  evaluationId?: string;
}

export interface KindStats {
  sent: number;
  responses: number;
  /** Status code → count, for the codes outside 2xx. */
  non2xx: Record<string, number>;
  /** 2xx answers without the expected body (no evaluation id, or another evaluation's). */
  malformed: number;
  /** Connection errors and timeouts: no answer at all. */
  errors: number;
  /** Those errors by code (ECONNRESET, …) or message. */
  errorReasons: Record<string, number>;
  /** Milliseconds from the moment the request was due to its full answer, one per answer. */
  latenciesMs: number[];
}

function parseEvaluationId(body: string): string | undefined {
  try {
    const id = (JSON.parse(body) as { evaluation_id?: unknown }).evaluation_id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

const emptyStats = (): KindStats => ({ sent: 0, responses: 0, non2xx: {}, malformed: 0, errors: 0, errorReasons: {}, latenciesMs: [] });

export function createTraffic(options: TrafficOptions) {
  const random = mulberry32(options.seed);
  // Every evaluation known to exist: those given, then those this traffic creates.
  const evaluationIds: string[] = [...(options.knownIds ?? [])];
  const stats: Record<RequestKind, KindStats> = { create: emptyStats(), status: emptyStats() };
  const authorization = `Bearer ${options.apiKey}`;
  // Half the creates compare two models, so the item counts checked at the end cover both shapes.
  const createBodies = [
    JSON.stringify({ model_id: 'baseline:reference', benchmark_id: options.benchmarkId, custom_metrics: ['exact_match'] }),
    JSON.stringify({
      model_id: 'baseline:reference',
      model_id_2: 'baseline:echo',
      benchmark_id: options.benchmarkId,
      custom_metrics: ['exact_match'],
    }),
  ];
  let planned = 0;

  // Spreads creates evenly through the sequence (with share 0.25: every fourth request) instead of at
  // random, so a short run gets its share exactly. Until one evaluation exists there is nothing to read,
  // so such a run opens with creates.
  const nextKind = (): RequestKind => {
    const n = planned;
    planned += 1;
    if (evaluationIds.length === 0) return 'create';
    return Math.floor((n + 1) * options.createShare) > Math.floor(n * options.createShare) ? 'create' : 'status';
  };

  /** The next request to send. */
  function next(): PlannedRequest {
    const kind = nextKind();
    stats[kind].sent += 1;
    if (kind === 'create') {
      const body = createBodies[stats.create.sent % 2]!;
      return { kind, method: 'POST', path: '/api/v3/evaluations', headers: { authorization, 'content-type': 'application/json' }, body };
    }
    const evaluationId = evaluationIds[Math.floor(random() * evaluationIds.length)]!;
    return { kind, method: 'GET', path: `/api/v3/evaluations/${evaluationId}/status`, headers: { authorization }, evaluationId };
  }

  /** Records a request's answer, or its failure to get one (`status` undefined). */
  function record(request: PlannedRequest, latencyMs: number, status?: number, body = '', error?: Error): void {
    const kindStats = stats[request.kind];
    if (status === undefined) {
      kindStats.errors += 1;
      const reason = (error as NodeJS.ErrnoException | undefined)?.code ?? error?.message ?? 'unknown';
      kindStats.errorReasons[reason] = (kindStats.errorReasons[reason] ?? 0) + 1;
      return;
    }
    kindStats.responses += 1;
    kindStats.latenciesMs.push(latencyMs);
    if (status < 200 || status >= 300) {
      kindStats.non2xx[status] = (kindStats.non2xx[status] ?? 0) + 1;
      return;
    }
    const evaluationId = parseEvaluationId(body);
    if (request.kind === 'status') {
      if (evaluationId !== request.evaluationId) kindStats.malformed += 1;
    } else if (evaluationId) {
      evaluationIds.push(evaluationId);
    } else {
      kindStats.malformed += 1;
    }
  }

  return { next, record, stats, evaluationIds };
}

export type Traffic = ReturnType<typeof createTraffic>;

/** Nearest-rank percentile of values sorted ascending. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function latencySummary(latenciesMs: readonly number[]) {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const round = (value: number | null) => (value === null ? null : Math.round(value * 10) / 10);
  return {
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? null),
  };
}
