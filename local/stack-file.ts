/**
 * `<dataDir>/local-stack.json`: how `npm run invoke` (and anyone else) finds the running stack's URL,
 * handler environment and processes. Written once the stack serves, removed when it stops.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isProcessAlive } from './child-process.js';

export interface StackFile {
  apiUrl: string;
  devApiKey: string;
  sampleBenchmarkIds: string[];
  env: Record<string, string>;
  /** `stack` is the process that owns the others (npm start, or a test runner). */
  pids: Record<string, number>;
  startedAt: string;
}

export function stackFilePath(dataDir: string): string {
  return join(dataDir, 'local-stack.json');
}

export function writeStackFile(dataDir: string, file: StackFile): void {
  // Owner-only: the file holds the development API key.
  writeFileSync(stackFilePath(dataDir), `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
}

export function readStackFile(dataDir: string): StackFile | undefined {
  try {
    return JSON.parse(readFileSync(stackFilePath(dataDir), 'utf8')) as StackFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export function removeStackFile(dataDir: string): void {
  rmSync(stackFilePath(dataDir), { force: true });
}

/** A file left by a stack that was killed outright names processes that no longer exist. */
export function isStackAlive(file: StackFile): boolean {
  return Object.values(file.pids).some((pid) => isProcessAlive(pid));
}
