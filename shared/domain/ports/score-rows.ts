import type { Judgement, ModelOutput, PairwiseJudgement } from '../../contracts/evaluations/result-types.js';

/**
 * What finalize's statistics read of a stored result row, and nothing else: no item text, no answer, no
 * rationale. A stored `ItemResult` is a `ScoreRow`, so a store may hand back whole rows; the DynamoDB store
 * projects the fields below and so reads a few hundred bytes per row instead of up to 64 KiB per answer.
 */
export interface ScoreRow {
  position: number;
  /** The sample index of a repeated item; absent for sample 0. */
  repeat?: number;
  outputs: Record<string, ScoreOutput>;
  pairwise?: Record<string, ScorePairwise>;
}

interface ErrorCode {
  code: string;
}

export type ScoreOutput = Pick<ModelOutput, 'status' | 'scores' | 'latency_ms' | 'usage' | 'cost_usd'> & {
  error?: ErrorCode;
  judgements?: Record<string, ScoreJudgement>;
};
export type ScoreJudgement = Pick<Judgement, 'template_id' | 'usage' | 'cost_usd'> & { error?: ErrorCode };
export type ScorePairwise = Pick<PairwiseJudgement, 'preferred' | 'score' | 'flipped' | 'judge_model_id' | 'template_id' | 'usage' | 'cost_usd'> & {
  error?: ErrorCode;
};

/**
 * The attribute paths behind the types above, relative to one answer, one judgement and one pairwise
 * verdict. A field the statistics start to read (a judge's cost, say) is added to its type and here.
 */
export const scoreFields = {
  output: [['status'], ['scores'], ['latency_ms'], ['usage'], ['cost_usd'], ['error', 'code']],
  judgement: [['template_id'], ['usage'], ['cost_usd'], ['error', 'code']],
  pairwise: [['preferred'], ['score'], ['flipped'], ['judge_model_id'], ['template_id'], ['usage'], ['cost_usd'], ['error', 'code']],
} as const satisfies Record<string, readonly (readonly string[])[]>;

/** Which answers, judgements and pairwise verdicts a read of score rows must keep. */
export interface ScoreRowShape {
  modelIds: readonly string[];
  /** Metrics a judge scores on each answer (their judgements live under each output). */
  judgedMetrics: readonly string[];
  pairwiseMetrics: readonly string[];
}
