/** Starts one of the local stack's TypeScript entry points as a supervised child process. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ManagedProcess, type ManagedProcessOptions } from './child-process.js';
import { localDir, repoRoot } from './paths.js';

export function spawnTsx(file: string, env: NodeJS.ProcessEnv, options: ManagedProcessOptions): ManagedProcess {
  // cwd is the repository, so `--import tsx` resolves to the project's own tsx. stdin is a pipe that is
  // never written: its closing tells the child that we are gone (see parent-watch.ts).
  const child = spawn(process.execPath, ['--import', 'tsx', join(localDir, file)], {
    cwd: repoRoot,
    // The SDK's Node 20 deprecation notice would be printed once per child; the parent shows it already.
    env: { ...env, ARBITER_STACK_CHILD: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return new ManagedProcess(child, options);
}
