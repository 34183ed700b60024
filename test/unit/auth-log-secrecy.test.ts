/**
 * The end-of-run check that no API key reached a log (test/support/log-secrecy.ts): it must find a key
 * wherever a line holds it, and fail the run when it does — a check that cannot fail proves nothing.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateApiKey } from '#shared/domain/auth/api-keys.js';
import checkLogsForKeys, {
  findKeysInLogs,
  logFiles,
  recordAuthorizationHeader,
  recordTestApiKey,
  recordedTestApiKeys,
  RUN_DIR_VARIABLE,
} from '../support/log-secrecy.js';

let dir: string;
const runDirBefore = process.env[RUN_DIR_VARIABLE];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'arbiter-secrecy-unit-'));
});

afterEach(() => {
  if (runDirBefore === undefined) delete process.env[RUN_DIR_VARIABLE];
  else process.env[RUN_DIR_VARIABLE] = runDirBefore;
  rmSync(dir, { recursive: true, force: true });
});

function writeLog(relative: string, lines: string[]): string {
  const file = join(dir, relative);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('finding keys in captured logs', () => {
  test('finds a key alone and in its bearer-header form, by file and line, but not its displayed prefix', () => {
    const key = generateApiKey();
    const file = writeLog('stacks/s1/api-1.log', [
      JSON.stringify({ level: 'INFO', message: 'authorized', key_id: 'key-1', prefix: key.slice(0, 10) }),
      JSON.stringify({ level: 'ERROR', message: 'oops', headers: { authorization: `Bearer ${key}` } }),
      `plain text ${key} in the middle`,
    ]);

    const leaks = findKeysInLogs(logFiles(dir), [key, generateApiKey()]);

    expect(leaks).toEqual([
      { file, line: 2, form: 'bearer', keyPrefix: `${key.slice(0, 10)}…` },
      { file, line: 3, form: 'raw', keyPrefix: `${key.slice(0, 10)}…` },
    ]);
  });

  test('searches every .log file below the folder, and nothing else', () => {
    const key = generateApiKey();
    writeLog('in-process/1.log', [key]);
    writeLog('stacks/a/b/evaluator-2.log', [`x${key}x`]);
    writeLog('api-keys.txt', [key]);

    expect(
      findKeysInLogs(logFiles(dir), [key])
        .map((leak) => leak.file.slice(dir.length))
        .sort(),
    ).toEqual(['/in-process/1.log', '/stacks/a/b/evaluator-2.log']);
  });
});

describe('recording the keys a test uses', () => {
  test('records real-looking keys and the key of a bearer header, not placeholders', () => {
    process.env[RUN_DIR_VARIABLE] = dir;
    const key = generateApiKey();
    const other = generateApiKey();

    recordTestApiKey(key);
    recordTestApiKey('arb_invalid');
    recordTestApiKey(null);
    recordAuthorizationHeader(`bearer ${other}`);
    recordAuthorizationHeader('Basic dXNlcjpwYXNz');
    recordTestApiKey(key);

    expect(recordedTestApiKeys(dir).sort()).toEqual([key, other].sort());
  });
});

describe('the end-of-run check (jest globalTeardown)', () => {
  test('throws, naming the file and line but not the key, when a captured line holds a key used in the run', () => {
    process.env[RUN_DIR_VARIABLE] = dir;
    const key = generateApiKey();
    recordTestApiKey(key);
    writeLog('stacks/s1/api-1.log', ['{"message":"fine"}', `{"message":"leak","authorization":"Bearer ${key}"}`]);

    let error: Error | undefined;
    try {
      checkLogsForKeys();
    } catch (thrown) {
      error = thrown as Error;
    }

    expect(error?.message).toContain('api-1.log:2: Authorization header');
    expect(error?.message).not.toContain(key);
    // The evidence is kept for whoever investigates.
    expect(readFileSync(join(dir, 'stacks/s1/api-1.log'), 'utf8')).toContain('leak');
  });

  test('throws when keys were used but no stack line was captured: an empty scan proves nothing', () => {
    process.env[RUN_DIR_VARIABLE] = dir;
    recordTestApiKey(generateApiKey());

    expect(() => checkLogsForKeys()).toThrow(/no local-stack log line was captured/);
  });

  test('passes a clean run and removes its folder', () => {
    process.env[RUN_DIR_VARIABLE] = dir;
    const keep = process.env.ARBITER_KEEP_TEST_LOGS;
    delete process.env.ARBITER_KEEP_TEST_LOGS;
    recordTestApiKey(generateApiKey());
    writeLog('stacks/s1/api-1.log', ['{"message":"authorized","key_id":"key-1"}']);

    try {
      expect(() => checkLogsForKeys()).not.toThrow();
    } finally {
      if (keep !== undefined) process.env.ARBITER_KEEP_TEST_LOGS = keep;
    }
    expect(logFiles(dir)).toEqual([]);
  });
});
