import { binomialHalfCdf } from './special.js';

export interface McNemarResult {
  p_value: number;
  /** Items model 1 passed and model 2 failed. */
  only_model_1: number;
  /** Items model 2 passed and model 1 failed. */
  only_model_2: number;
}

/**
 * Exact McNemar test for paired pass/fail outcomes: only discordant items carry information, and under
 * "no difference" each is equally likely to favour either model, so the count favouring model 2 is
 * Binomial(discordant, 1/2). Exact rather than chi-squared because evaluations often have few
 * discordant items, where the chi-squared approximation is poor. Two-sided: twice the smaller tail.
 */
export function mcnemarExact(onlyModel1: number, onlyModel2: number): McNemarResult {
  for (const count of [onlyModel1, onlyModel2]) {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`discordant counts must be non-negative integers, got ${count}`);
  }
  const discordant = onlyModel1 + onlyModel2;
  const p_value = discordant === 0 ? 1 : Math.min(1, 2 * binomialHalfCdf(Math.min(onlyModel1, onlyModel2), discordant));
  return { p_value, only_model_1: onlyModel1, only_model_2: onlyModel2 };
}
