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
