import { Worker } from 'node:worker_threads';

/**
 * Lets a child of the local stack end with its parent. The stack gives each child a stdin pipe and never
 * writes to it; the pipe closes when the parent dies, even by SIGKILL, which no signal handler sees.
 * Only active under the stack (ARBITER_STACK_CHILD=1), so running a file by hand is not affected.
 */
export function onParentExit(stop: () => void): void {
  if (process.env.ARBITER_STACK_CHILD !== '1') return;
  process.stdin.once('close', stop);
  process.stdin.once('end', stop);
  process.stdin.resume();
}

/**
 * The same for a process whose event loop may be blocked (the evaluator, in a long synchronous
 * computation), where the stdin watch above cannot run: a worker thread, which has an event loop of its
 * own, looks for the parent every second and SIGKILLs this process once the parent is gone. Unref'd, so
 * it never keeps the process alive by itself.
 */
export function killWhenParentDies(): void {
  if (process.env.ARBITER_STACK_CHILD !== '1') return;
  const watchdog = new Worker(
    `const { workerData } = require('node:worker_threads');
     const gone = (pid) => { try { process.kill(pid, 0); return false; } catch (error) { return error.code === 'ESRCH'; } };
     setInterval(() => { if (process.ppid !== workerData.parent || gone(workerData.parent)) process.kill(workerData.self, 'SIGKILL'); }, 1000);`,
    { eval: true, workerData: { parent: process.ppid, self: process.pid } },
  );
  watchdog.unref();
}
