/**
 * jest's globalSetup: one folder per run for the captured logs and the API keys the tests use, named in
 * ARBITER_TEST_RUN_DIR (log-secrecy.ts reads it; jest loads this file without the projects' module mapping,
 * so it imports nothing of ours). Workers and the local stacks' children inherit the variable.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function createTestRunDir(): void {
  process.env.ARBITER_TEST_RUN_DIR = mkdtempSync(join(tmpdir(), 'arbiter-test-run-'));
}
