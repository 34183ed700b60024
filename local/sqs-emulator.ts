/**
 * The SQS emulator (fauxqs) as a supervised child process: its own CLI, run as `npx fauxqs` would run
 * it, outside the process that uses it (through sqs-emulator-process.ts, so it ends with the stack).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ManagedProcess } from './child-process.js';
import { findFreePort } from './free-port.js';
import { packageDir } from './paths.js';
import { pollUntil } from './poll.js';
import { spawnTsx } from './tsx-process.js';

export interface SqsEmulatorOptions {
  port?: number;
  forwardOutput: boolean;
  /** Called as soon as the process exists, so the caller can kill it even if startup never completes. */
  onSpawn?: (managed: ManagedProcess) => void;
  startupTimeoutMs?: number;
}

export interface SqsEmulator {
  endpoint: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

function cliPath(): string {
  const dir = packageDir('fauxqs');
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { bin?: string | Record<string, string> };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.fauxqs;
  if (!bin) throw new Error(`fauxqs in ${dir} declares no CLI (package.json "bin")`);
  return join(dir, bin);
}

/**
 * fauxqs's CLI turns request logging on whatever FAUXQS_LOGGER says (it passes `logger: true`), which
 * would print two lines per SQS call. Its pino lines below warn level (40) are kept for error messages
 * but not forwarded.
 */
function isWarningOrWorse(line: string): boolean {
  try {
    const level = (JSON.parse(line) as { level?: unknown }).level;
    return typeof level !== 'number' || level >= 40;
  } catch {
    return true;
  }
}

export async function startSqsEmulator(options: SqsEmulatorOptions): Promise<SqsEmulator> {
  const port = options.port ?? (await findFreePort());
  // Queue URLs are http://sqs.<region>.<FAUXQS_HOST>:<port>/…; pinned to localhost (whatever the
  // caller's environment says) because the stack's processes resolve *.localhost (localhost-dns.ts).
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ARBITER_FAUXQS_CLI: cliPath(),
    FAUXQS_PORT: String(port),
    FAUXQS_HOST: 'localhost',
    FAUXQS_LOGGER: 'false',
  };
  const managed = spawnTsx('sqs-emulator-process.ts', env, { name: 'sqs', forward: options.forwardOutput, forwardLine: isWarningOrWorse });
  options.onSpawn?.(managed);
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await pollUntil(async () => (await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1_000) })).ok, {
      timeoutMs: options.startupTimeoutMs ?? 15_000,
      description: `the SQS emulator to answer GET ${endpoint}/health`,
      abortIf: () => managed.exitReason(),
    });
  } catch (error) {
    await managed.stop(2_000);
    const output = managed.recentOutput();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`The SQS emulator failed to start: ${reason}${output ? `\nIts output:\n${output}` : ''}`, { cause: error });
  }
  return {
    endpoint,
    process: managed,
    stop: async () => {
      await managed.stop();
    },
  };
}
