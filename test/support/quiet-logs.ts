/**
 * jest setupFiles: handler logs are JSON lines meant for CloudWatch; in test output they only bury the
 * failures. So they leave the terminal, but are not thrown away: when the run has a log folder
 * (global-setup.ts), this test file's stdout and stderr — where Powertools Logger and Metrics write —
 * go to a file there, at the most verbose level, for the end-of-run check that no API key was logged
 * (log-secrecy.ts). ARBITER_TEST_VERBOSE=1 shows them as well.
 *
 * Only this test file's `process` is redirected; jest's own reporting and console go through the runner.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { testRunDir } from './log-secrecy.js';

const runDir = testRunDir();
if (!runDir) {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
} else {
  // Inherited by the local stacks' children too, so their handlers log everything while captured.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'DEBUG';
  const dir = join(runDir, 'in-process');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${process.pid}.log`);
  const verbose = process.env.ARBITER_TEST_VERBOSE === '1';
  for (const name of ['stdout', 'stderr'] as const) {
    const terminal = process[name];
    const capture = new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        appendFileSync(file, chunk);
        if (verbose) terminal.write(chunk);
        done();
      },
    });
    Object.defineProperty(process, name, { value: capture, configurable: true, writable: true });
  }
}
