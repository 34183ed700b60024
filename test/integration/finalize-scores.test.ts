import { DynamoDbEvaluationStore } from '#shared/adapters/dynamodb/evaluation-store.js';
import { tableDefinitions } from '#shared/contracts/resources.js';
import type { ItemResult } from '#shared/contracts/evaluations/result-types.js';
import { computeResults } from '#shared/domain/evaluator/aggregate-results.js';
import { ResultColumns } from '#shared/domain/evaluator/result-columns.js';
import type { ScoredMetric } from '#shared/domain/evaluator/scoring.js';
import type { ScoreRow } from '#shared/domain/ports/score-rows.js';
import { writeResultRows } from '../../bench/seed-results.js';
import { randomEvaluation, randomMetrics, randomRows, twentyMetrics } from '../../bench/synthetic-results.js';
import { localDocumentClient } from '../../local/seed.js';
import { startTestStack, type TestStack } from './support/local-stack.js';

let stack: TestStack;
let documents: ReturnType<typeof localDocumentClient>;
let store: DynamoDbEvaluationStore;

beforeAll(async () => {
  stack = await startTestStack();
  documents = localDocumentClient(stack.env);
  store = new DynamoDbEvaluationStore({
    client: documents,
    tableName: stack.env[tableDefinitions.evaluations.envVar],
    benchmarksTableName: stack.env[tableDefinitions.benchmarks.envVar],
  });
});

afterAll(async () => {
  documents?.destroy();
  await stack?.stop();
});

async function seed(evaluationId: string, items: number, metrics: ScoredMetric[]) {
  const evaluation = randomEvaluation({ items, id: evaluationId, metrics });
  const rows = randomRows({ items, seed: 7, metrics, textLength: 4_000, rationaleLength: 100 });
  await writeResultRows(documents, stack.env[tableDefinitions.evaluations.envVar]!, 'dev', evaluationId, rows);
  return { evaluation, rows };
}

describe('finalize reads scores, not answers', () => {
  it('gives the results of the whole rows from the projected read, for 20 metrics × 2 models, judged and pairwise', async () => {
    const { evaluation } = await seed('eval-01kscores00000000000000001', 600, twentyMetrics);

    const whole: ItemResult[] = [];
    let wholeBytes = 0;
    for await (const page of store.allResults('dev', evaluation.evaluation_id)) {
      whole.push(...page);
      wholeBytes += Buffer.byteLength(JSON.stringify(page));
    }
    const columns = new ResultColumns(evaluation, twentyMetrics);
    const projected: ScoreRow[] = [];
    let projectedBytes = 0;
    for await (const page of store.allScores('dev', evaluation.evaluation_id, columns.shape)) {
      columns.add(page);
      projected.push(...page);
      projectedBytes += Buffer.byteLength(JSON.stringify(page));
    }

    expect(whole).toHaveLength(600);
    expect(columns.rows).toBe(600);
    expect(columns.results()).toEqual(computeResults(evaluation, whole, twentyMetrics));
    // No text came back: not the item, not an answer, not a judge's rationale.
    const texts = JSON.stringify(projected);
    expect(texts).not.toContain('answer ');
    expect(projected[0]).not.toHaveProperty('input');
    // The item's id is the one text kept: comparisons of two evaluations align their rows by it.
    expect(projected[0]).toHaveProperty('item_id', 'item-0');
    // 4 KB answers against 20 scores per answer with their long names: about a sixth.
    expect(projectedBytes).toBeLessThan(wholeBytes / 4);
  }, 180_000);

  it('keeps an answer with a judgement and a verdict that failed, and a model with no answer, as the rows have them', async () => {
    const { evaluation, rows } = await seed('eval-01kscores00000000000000002', 300, randomMetrics);
    const failedJudge = rows.find((row) => row.outputs['llama-small']?.judgements?.relevance?.error)!;
    const columns = new ResultColumns(evaluation, randomMetrics);

    const projected: ScoreRow[] = [];
    for await (const page of store.allScores('dev', evaluation.evaluation_id, columns.shape)) projected.push(...page);

    const row = projected.find((candidate) => candidate.position === failedJudge.position)!;
    const stored = failedJudge.outputs['llama-small']!.judgements!.relevance!;
    // The judge's template, spend and error code; not its rationale, score or message.
    expect(row.outputs['llama-small']!.judgements!.relevance).toEqual({
      template_id: stored.template_id,
      ...(stored.usage ? { usage: stored.usage } : {}),
      ...(stored.cost_usd !== undefined ? { cost_usd: stored.cost_usd } : {}),
      error: { code: stored.error!.code },
    });
    expect(row.outputs['llama-small']).not.toHaveProperty('output');
    const missing = rows.find((candidate) => candidate.outputs['claude-big'] === undefined)!;
    expect(projected.find((candidate) => candidate.position === missing.position)!.outputs).not.toHaveProperty('claude-big');
  }, 180_000);
});
