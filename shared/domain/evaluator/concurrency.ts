import pLimit, { type LimitFunction } from 'p-limit';

/**
 * One limiter per model per container: a model's `max_concurrency` bounds its calls from this evaluator
 * instance, across the chunks it runs. (p-limit: tiny, maintained, and exactly this job.)
 */
const limiters = new Map<string, LimitFunction>();

export function limiterFor(key: string, concurrency: number): LimitFunction {
  const existing = limiters.get(key);
  if (existing && existing.concurrency === concurrency) return existing;
  const limiter = pLimit(concurrency);
  limiters.set(key, limiter);
  return limiter;
}
