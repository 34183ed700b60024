/**
 * Keeps API keys out of logs, checked rather than hoped for: every line written while the test suite runs
 * is captured under one folder per run (local-stack children by `startTestStack`, in-process Powertools
 * output by `quiet-logs.ts`), every API key the tests use is recorded there, and this module's default
 * export, jest's globalTeardown, fails the run if any captured line holds one.
 *
 * jest loads its global hooks without the test projects' module mapping, so this file imports nothing
 * but Node's own modules.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Set by `global-setup.ts` (which names it too) for the whole run; workers and local-stack children inherit it. */
export const RUN_DIR_VARIABLE = 'ARBITER_TEST_RUN_DIR';

const KEYS_FILE = 'api-keys.txt';

/**
 * What counts as a key worth guarding: Arbiter's prefix and enough random characters that finding it in
 * a log cannot be a coincidence (a generated key has 32). Placeholders like `arb_invalid` are not secrets.
 */
const KEY_SHAPE = /^arb_[A-Za-z0-9_-]{16,}$/;

export function testRunDir(): string | undefined {
  return process.env[RUN_DIR_VARIABLE] || undefined;
}

/** Keys this process already wrote down, per run folder: a fuzz run sends the same key thousands of times. */
const recorded = new Set<string>();

/** Records a key the tests created or sent, so the end-of-run scan looks for it. */
export function recordTestApiKey(key: string | undefined | null): void {
  const runDir = testRunDir();
  if (!runDir || !key || !KEY_SHAPE.test(key) || recorded.has(`${runDir}\n${key}`)) return;
  mkdirSync(runDir, { recursive: true });
  appendFileSync(join(runDir, KEYS_FILE), `${key}\n`);
  recorded.add(`${runDir}\n${key}`);
}

/** Records the key of an `Authorization: Bearer <key>` header. */
export function recordAuthorizationHeader(value: string | undefined): void {
  const match = /^\s*bearer\s+(\S+)/i.exec(value ?? '');
  recordTestApiKey(match?.[1]);
}

export function recordedTestApiKeys(runDir: string): string[] {
  const file = join(runDir, KEYS_FILE);
  if (!existsSync(file)) return [];
  return [...new Set(readFileSync(file, 'utf8').split('\n').filter(Boolean))];
}

/** Every captured log file under `dir`, recursively. */
export function logFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return logFiles(path);
    return name.endsWith('.log') ? [path] : [];
  });
}

export interface KeyLeak {
  file: string;
  line: number;
  /** `bearer` when the line holds the whole header value, `raw` when the key appears alone. */
  form: 'bearer' | 'raw';
  /** Enough of the key to tell which one, never the key itself. */
  keyPrefix: string;
}

/** Where the keys appear in the files: the raw key and its bearer-header form, anywhere in a line. */
export function findKeysInLogs(files: readonly string[], keys: readonly string[]): KeyLeak[] {
  const leaks: KeyLeak[] = [];
  for (const file of files) {
    const content = readFileSync(file, 'utf8');
    for (const key of keys) {
      for (let at = content.indexOf(key); at !== -1; at = content.indexOf(key, at + key.length)) {
        const lineStart = content.lastIndexOf('\n', at) + 1;
        const before = content.slice(lineStart, at);
        leaks.push({
          file,
          line: content.slice(0, at).split('\n').length,
          form: /bearer\s+$/i.test(before) ? 'bearer' : 'raw',
          keyPrefix: `${key.slice(0, 10)}…`,
        });
      }
    }
  }
  return leaks;
}

/** Lines in the files, for checks that the capture is not empty (a scan of nothing proves nothing). */
export function countLines(files: readonly string[]): number {
  return files.reduce((total, file) => total + readFileSync(file, 'utf8').split('\n').filter(Boolean).length, 0);
}

export function describeLeaks(leaks: readonly KeyLeak[]): string {
  return leaks
    .map((leak) => `  ${leak.file}:${leak.line}: ${leak.form === 'bearer' ? 'Authorization header' : 'API key'} ${leak.keyPrefix}`)
    .join('\n');
}

/**
 * jest's globalTeardown: scans every line captured during the run for every API key the tests used, and
 * throws if one is found, which makes jest (and `npm test`) exit non-zero. The folder is kept when the
 * check fails, and removed otherwise unless ARBITER_KEEP_TEST_LOGS=1.
 */
export default function checkLogsForKeys(): void {
  const runDir = testRunDir();
  if (!runDir) return;
  const keys = recordedTestApiKeys(runDir);
  const files = logFiles(runDir);
  const leaks = findKeysInLogs(files, keys);
  if (leaks.length > 0) {
    throw new Error(`API keys were written to the logs (${leaks.length} times; logs kept in ${runDir}):\n${describeLeaks(leaks)}`);
  }
  // Keys were used against a local stack, whose children wrote lines: none captured means the capture broke.
  if (keys.length > 0 && countLines(logFiles(join(runDir, 'stacks'))) === 0) {
    throw new Error(
      `The tests used ${keys.length} API keys but no local-stack log line was captured under ${runDir}/stacks: the key scan would prove nothing.`,
    );
  }
  if (process.env.ARBITER_KEEP_TEST_LOGS === '1') {
    process.stderr.write(`Test logs kept in ${runDir} (${files.length} files, ${keys.length} API keys checked)\n`);
  } else {
    rmSync(runDir, { recursive: true, force: true });
  }
}
