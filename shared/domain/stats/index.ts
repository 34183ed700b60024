/** The statistics the evaluator's finalize step uses; see docs/statistics.md for the methods and why. */
export { aggregate, defaultBootstrapMaxN, type Aggregate, type AggregateOptions, type IntervalMethod } from './aggregate.js';
export { bootstrapMeanInterval, type BootstrapOptions } from './bootstrap.js';
export { comparePaired, type CompareOptions, type PairedComparison, type PairedTest } from './compare.js';
export { holmAdjust } from './holm.js';
export { mcnemarExact, type McNemarResult } from './mcnemar.js';
export { pairedPermutationTest, type PermutationOptions, type PermutationResult } from './permutation.js';
export { createRandom, deriveSeed, type Random } from './random.js';
export { verdict, type Verdict, type VerdictOptions } from './verdict.js';
export { wilcoxonSignedRank, type SignedRankResult } from './wilcoxon.js';
export { wilsonInterval } from './wilson.js';
export { itemRepeatStats, passAtK, passHatK, type ItemRepeatStats } from './repeats.js';
