/**
 * The local stack's supervision policy, with real (tiny) child processes: a process that dies is
 * restarted after a jittered delay and said; one that keeps dying right after it starts is given up after
 * five crashes in a row; on stop, one that ignores SIGTERM is killed after its grace period.
 */
import { spawn } from 'node:child_process';
import { ManagedProcess } from '../../local/child-process.js';
import { pollUntil } from '../../local/poll.js';
import { Supervised } from '../../local/supervisor.js';

function node(script: string): ManagedProcess {
  const child = spawn(process.execPath, ['-e', script], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  return new ManagedProcess(child, { name: 'child', forward: false });
}

it('restarts a process that keeps dying, then gives it up after five crashes in a row, saying each', async () => {
  const said: string[] = [];
  const states: string[] = [];
  let starts = 0;
  const supervised = await Supervised.start({
    name: 'evaluator-1',
    say: (line) => said.push(line),
    random: () => 0,
    onState: (state) => states.push(state),
    start: async () => {
      starts += 1;
      return node('process.exit(3)');
    },
  });
  await pollUntil(() => supervised.status === 'failed', { timeoutMs: 30_000, intervalMs: 20, description: 'the supervisor to give up' });

  expect(starts).toBe(5);
  expect(said.filter((line) => line.includes('exited with code 3. Restarting it in 0 ms'))).toHaveLength(4);
  expect(said.filter((line) => /^evaluator-1 restarted \(pid \d+, restart \d\)$/.test(line))).toHaveLength(4);
  expect(said.at(-1)).toMatch(
    /^!!! evaluator-1 \(pid \d+\) exited with code 3: 5 crashes in a row, each within 60\.0 s of starting\. Giving up on it/,
  );
  expect(states.at(-1)).toBe('failed');
  await supervised.stop(1_000);
}, 60_000);

it('waits the jittered backoff before a restart and says how long', async () => {
  const said: string[] = [];
  let starts = 0;
  const supervised = await Supervised.start({
    name: 'api',
    say: (line) => said.push(line),
    random: () => 0.5,
    start: async () => {
      starts += 1;
      return node(starts === 1 ? 'process.exit(1)' : 'setInterval(() => {}, 1000)');
    },
  });
  await pollUntil(() => supervised.status === 'running' && starts === 2, { timeoutMs: 30_000, intervalMs: 20, description: 'the restart' });
  // The first crash's window is the base, 1 s: a draw of 0.5 waits 500 ms.
  expect(said[0]).toMatch(/^!!! api \(pid \d+\) exited with code 1\. Restarting it in 500 ms \(restart 1; crash 1 of at most 5 in a row\)$/);
  await supervised.stop(5_000);
  expect(supervised.process.running).toBe(false);
}, 60_000);

it('kills, on stop, a process that does not exit within its grace period, and says so', async () => {
  const said: string[] = [];
  const supervised = await Supervised.start({
    name: 'evaluator-2',
    say: (line) => said.push(line),
    // Ignores SIGTERM, as a process whose event loop is blocked does.
    start: async () => {
      const managed = node("process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); console.log('ready')");
      await managed.waitForLine((line) => (line === 'ready' ? true : undefined), 10_000);
      return managed;
    },
  });
  const pid = supervised.process.pid;
  await supervised.stop(500);
  expect(supervised.process.running).toBe(false);
  expect(said).toEqual([`evaluator-2 (pid ${pid}) did not exit within 500 ms of SIGTERM: killed it (SIGKILL)`]);
}, 60_000);
