/**
 * The end of `npm run bench:load`: waits until every evaluation of the run's tenant has reached a final
 * state, then checks each one's item counts. It lists the tenant's evaluations rather than polling the
 * ids the run saw, so an evaluation whose create answer was cut off when the load stopped is checked too.
 */
export interface EvaluationSummary {
  evaluation_id: string;
  status: string;
  model_id_2?: string;
  completed_at?: string;
  progress: {
    total_items: number;
    completed_items: number;
    failed_items: number;
    models: { model_id: string; scored: number; failed: number }[];
  };
}

export interface DrainOptions {
  apiUrl: string;
  apiKey: string;
  /** Items in the benchmark every evaluation ran on. */
  benchmarkItems: number;
  /** Evaluations whose create answered 202: each must be among those listed. */
  acknowledgedIds: readonly string[];
  timeoutSeconds: number;
  pollSeconds?: number;
  /** What the progress lines on stderr say is happening. */
  label?: string;
}

export interface DrainReport {
  evaluations: number;
  by_status: Record<string, number>;
  unfinished: number;
  /** Answered 202 but not listed: an evaluation lost. */
  missing: string[];
  /** Final but not `completed`, or with counts that do not add up. */
  wrong: { evaluation_id: string; problem: string }[];
  items_expected: number;
  items_completed: number;
  items_failed: number;
}

const finalStatuses = new Set(['completed', 'failed', 'cancelled']);

async function listAll(apiUrl: string, apiKey: string): Promise<EvaluationSummary[]> {
  const all: EvaluationSummary[] = [];
  let cursor: string | null = null;
  do {
    const url = new URL('/api/v3/evaluations', apiUrl);
    url.searchParams.set('limit', '100');
    if (cursor) url.searchParams.set('cursor', cursor);
    const response = await fetch(url, { headers: { authorization: `Bearer ${apiKey}` } });
    if (response.status !== 200) throw new Error(`GET /api/v3/evaluations answered ${response.status}: ${await response.text()}`);
    const page = (await response.json()) as { items: EvaluationSummary[]; next_cursor: string | null };
    all.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return all;
}

/** What is wrong with a final evaluation of a benchmark of `items` items, if anything. */
export function countProblem(evaluation: EvaluationSummary, items: number): string | undefined {
  const models = evaluation.model_id_2 ? 2 : 1;
  const { total_items, completed_items, failed_items } = evaluation.progress;
  const perModel = evaluation.progress.models.reduce((sum, model) => sum + model.scored + model.failed, 0);
  // Nothing in the run cancels, and baseline models cannot fail: anything but `completed` is a fault.
  if (evaluation.status !== 'completed') return `status ${evaluation.status}`;
  if (total_items !== items) return `total_items ${total_items}, expected ${items}`;
  if (completed_items + failed_items !== items) return `completed ${completed_items} + failed ${failed_items} ≠ ${items} items`;
  if (evaluation.progress.models.length !== models) return `${evaluation.progress.models.length} models counted, expected ${models}`;
  if (perModel !== items * models) return `scored + failed over the models ${perModel} ≠ ${items} items × ${models} models`;
  return undefined;
}

/**
 * Polls the tenant's evaluations until none is pending or running (or the timeout passes), and returns
 * the check of every one of them with the moment the last one finished.
 */
export async function drainEvaluations(options: DrainOptions): Promise<{ report: DrainReport; lastCompletedAt?: string }> {
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  let evaluations: EvaluationSummary[];
  for (;;) {
    evaluations = await listAll(options.apiUrl, options.apiKey);
    const unfinished = evaluations.filter((evaluation) => !finalStatuses.has(evaluation.status)).length;
    if (unfinished === 0 || Date.now() >= deadline) break;
    process.stderr.write(`  ${options.label ?? 'draining'}: ${unfinished} of ${evaluations.length} evaluations still pending or running\n`);
    await new Promise((resolve) => setTimeout(resolve, (options.pollSeconds ?? 2) * 1000));
  }

  const listed = new Set(evaluations.map((evaluation) => evaluation.evaluation_id));
  const by_status: Record<string, number> = {};
  const wrong: DrainReport['wrong'] = [];
  let itemsExpected = 0;
  let itemsCompleted = 0;
  let itemsFailed = 0;
  let lastCompletedAt: string | undefined;
  for (const evaluation of evaluations) {
    by_status[evaluation.status] = (by_status[evaluation.status] ?? 0) + 1;
    itemsExpected += options.benchmarkItems;
    itemsCompleted += evaluation.progress.completed_items;
    itemsFailed += evaluation.progress.failed_items;
    if (evaluation.completed_at && (!lastCompletedAt || evaluation.completed_at > lastCompletedAt)) lastCompletedAt = evaluation.completed_at;
    if (!finalStatuses.has(evaluation.status)) continue;
    const problem = countProblem(evaluation, options.benchmarkItems);
    if (problem) wrong.push({ evaluation_id: evaluation.evaluation_id, problem });
  }
  return {
    report: {
      evaluations: evaluations.length,
      by_status,
      unfinished: evaluations.filter((evaluation) => !finalStatuses.has(evaluation.status)).length,
      missing: options.acknowledgedIds.filter((id) => !listed.has(id)),
      wrong,
      items_expected: itemsExpected,
      items_completed: itemsCompleted,
      items_failed: itemsFailed,
    },
    lastCompletedAt,
  };
}
