import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/**
 * "No single item can hold the event loop for more than a bounded time": each case scores one
 * adversarial input (a pattern that backtracks exponentially, 1 MB texts for the O(n·m) metrics, 1 MB
 * judge replies for the parsers) in a child process, killed if it hangs, and must finish well within a
 * generous bound. On a backtracking engine or an uncapped O(n·m) metric these run for hours.
 */
const run = promisify(execFile);
const boundMs = 3000;
const killAfterMs = 20_000;

async function score(name: string): Promise<{ ms: number; value: unknown }> {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'test/support/adversarial-scoring.ts', name], {
      timeout: killAfterMs,
      maxBuffer: 1 << 20,
    });
    return JSON.parse(stdout) as { ms: number; value: unknown };
  } catch (error) {
    if ((error as { killed?: boolean }).killed) throw new Error(`${name} did not finish within ${killAfterMs} ms`);
    throw error;
  }
}

describe('scoring time is bounded for any single item', () => {
  // The key does not match, so its value is unconstrained and the object is valid (1).
  it.each([
    ['regex_metric', 0],
    ['json_schema_pattern', 0],
    ['json_schema_pattern_properties', 1],
  ])(
    '%s: ^(a+)+$ against 100,000 a’s and a ! (no match) in linear time',
    async (name, expected) => {
      const { ms, value } = await score(name);
      expect(value).toBe(expected);
      expect(ms).toBeLessThan(boundMs);
    },
    killAfterMs + 10_000,
  );

  it.each(['edit_similarity', 'rouge_l', 'bleu', 'chrf', 'fuzzy_match_grader', 'gleu_grader', 'meteor_grader'])(
    '%s of two different 1 MB texts',
    async (name) => {
      const { ms, value } = await score(name);
      expect(value).toEqual(expect.any(Number));
      expect(ms).toBeLessThan(boundMs);
    },
    killAfterMs + 10_000,
  );

  it.each([
    'judge_reply_spaces_at_cap',
    'judge_reply_braces_at_cap',
    'pairwise_reply_spaces_at_cap',
    'judge_reply_spaces',
    'judge_reply_braces',
    'judge_reply_digits',
    'pairwise_reply_braces',
    'pairwise_reply_spaces',
    'label_reply_braces',
  ])(
    '%s: a long judge reply (the longest read, or 1 MB) is refused in bounded time',
    async (name) => {
      const { ms, value } = await score(name);
      expect(value).toMatchObject({ ok: false });
      expect(ms).toBeLessThan(boundMs);
    },
    killAfterMs + 10_000,
  );
});
