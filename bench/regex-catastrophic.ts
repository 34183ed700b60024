/**
 * Child of bench/metrics.ts: scores `a`×N + `!` against the regex metric `^(a+)+$` for about a second and
 * prints items/s as JSON. Separate so the parent can kill it: a backtracking match cannot be interrupted.
 */
import { resolveMetrics } from '#shared/domain/metrics/registry.js';

const length = Number(process.argv[2]);
const [metric] = resolveMetrics([{ name: 'pattern', type: 'regex', pattern: '^(a+)+$' }], { taskType: 'free_text' });
if (metric?.kind !== 'computed') throw new Error('a regex metric is computed');
const sample = { input: 'Repeat the letter.', output: `${'a'.repeat(length)}!` };
let scored = 0;
let slowest = 0;
let matched = 0;
const start = performance.now();
while (performance.now() - start < 1000) {
  const itemStart = performance.now();
  matched += metric.score(sample) ?? 0;
  slowest = Math.max(slowest, performance.now() - itemStart);
  scored += 1;
}
const ms = performance.now() - start;
console.log(
  JSON.stringify({
    answer_chars: length + 1,
    items: scored,
    items_per_s: Number(((scored / ms) * 1000).toFixed(2)),
    slowest_item_ms: Number(slowest.toFixed(3)),
    matched,
  }),
);
