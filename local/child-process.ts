/**
 * Supervision for the local stack's child processes (DynamoDB Local's JVM, the SQS emulator, the API
 * server, the evaluator poller): output capture, readiness by log line, and a stop that leaves nothing
 * behind.
 *
 * Every child is spawned `detached`, i.e. as the leader of its own process group, and is signalled as a
 * group. `java` is often a shell shim (sdkman, asdf, jenv) whose JVM is a grandchild; signalling the
 * group reaches it, signalling the pid alone would orphan it.
 */
import type { ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';

const tailLines = 200;

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (e.g. ENOENT: `java` not on PATH). */
  spawnError?: Error;
}

export interface ManagedProcessOptions {
  /** Prefix of forwarded lines, e.g. `api` → `[api] …`. */
  name: string;
  /** Forward the child's output to ours; otherwise only keep the last lines for error messages. */
  forward: boolean;
  /** When forwarding, which lines are worth it; all by default. */
  forwardLine?: (line: string) => boolean;
}

/** Wraps a child that was spawned with `detached: true`, so its pid is also its process group id. */
export class ManagedProcess {
  readonly name: string;
  readonly pid: number;
  /** Resolves when the process has exited (or failed to start). */
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | undefined;
  private readonly tail: string[] = [];
  private readonly lineListeners = new Set<(line: string) => void>();

  constructor(child: ChildProcess, options: ManagedProcessOptions) {
    this.name = options.name;
    this.pid = child.pid ?? -1;
    this.exited = new Promise((resolveExit) => {
      child.once('error', (spawnError) => {
        // 'error' without a pid means the spawn itself failed; 'exit' will not follow.
        if (child.pid === undefined) this.settle({ code: null, signal: null, spawnError }, resolveExit);
      });
      // 'close' rather than 'exit': it comes after the output pipes are drained (so no last line is lost)
      // and after every process holding them, grandchildren included, is gone.
      child.once('close', (code, signal) => this.settle({ code, signal }, resolveExit));
    });
    for (const [stream, label] of [
      [child.stdout, ''],
      [child.stderr, ' (stderr)'],
    ] as const) {
      if (!stream) continue;
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        this.tail.push(`${label ? 'stderr: ' : ''}${line}`);
        if (this.tail.length > tailLines) this.tail.shift();
        if (options.forward && (options.forwardLine?.(line) ?? true)) (label ? process.stderr : process.stdout).write(`[${this.name}] ${line}\n`);
        for (const listener of this.lineListeners) listener(line);
      });
    }
  }

  get running(): boolean {
    return this.exitInfo === undefined && this.pid > 0;
  }

  /** Why the process is not running, for error messages; undefined while it runs. */
  exitReason(): string | undefined {
    const info = this.exitInfo;
    if (!info) return undefined;
    if (info.spawnError) return `${this.name} could not be started: ${info.spawnError.message}`;
    return `${this.name} exited (${info.signal ? `signal ${info.signal}` : `code ${info.code}`})`;
  }

  /**
   * Appends every line the process writes from now on (stdout and stderr) to `file`, except those `keep`
   * refuses; the file is closed when the process exits. Written synchronously, line by line, so nothing is
   * lost when the process or ours ends abruptly.
   */
  captureTo(file: string, keep: (line: string) => boolean = () => true): void {
    mkdirSync(dirname(file), { recursive: true });
    const fd = openSync(file, 'a');
    const listener = (line: string) => {
      if (keep(line)) writeSync(fd, `${line}\n`);
    };
    this.lineListeners.add(listener);
    void this.exited.then(() => {
      this.lineListeners.delete(listener);
      closeSync(fd);
    });
  }

  /** The last lines the process wrote, stdout and stderr interleaved. */
  recentOutput(): string {
    return this.tail.join('\n');
  }

  /** Resolves with the first output line that `match` accepts; rejects if the process exits first. */
  waitForLine<T>(match: (line: string) => T | undefined, timeoutMs: number): Promise<T> {
    return new Promise((resolveLine, reject) => {
      const finish = (action: () => void) => {
        clearTimeout(timer);
        this.lineListeners.delete(listener);
        action();
      };
      const listener = (line: string) => {
        const value = match(line);
        if (value !== undefined) finish(() => resolveLine(value));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`${this.name} did not become ready within ${timeoutMs} ms`))), timeoutMs);
      this.lineListeners.add(listener);
      void this.exited.then(() => finish(() => reject(new Error(this.exitReason()))));
    });
  }

  /**
   * SIGTERM to the process group, SIGKILL once `graceMs` has passed; then SIGKILL to whatever is left of
   * the group, since a leader that exits gracefully may leave grandchildren behind. Says whether the
   * process exited by itself or had to be killed.
   */
  async stop(graceMs = 10_000): Promise<'exited' | 'killed'> {
    let outcome: 'exited' | 'killed' = 'exited';
    if (this.running) {
      this.signalGroup('SIGTERM');
      // A process whose event loop is blocked (a long synchronous computation) never runs its SIGTERM
      // handler; only SIGKILL ends it.
      const timer = setTimeout(() => {
        outcome = 'killed';
        this.signalGroup('SIGKILL');
      }, graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    this.signalGroup('SIGKILL');
    return outcome;
  }

  /** Synchronous last resort for `process.on('exit')`, where nothing asynchronous runs any more. */
  killNow(): void {
    this.signalGroup('SIGKILL');
  }

  private signalGroup(signal: NodeJS.Signals): void {
    if (this.pid <= 0) return;
    try {
      process.kill(-this.pid, signal);
    } catch (error) {
      // ESRCH: the group is already gone, which is the goal.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }

  private settle(info: ExitInfo, resolveExit: (info: ExitInfo) => void): void {
    if (this.exitInfo) return;
    this.exitInfo = info;
    resolveExit(info);
  }
}

/** True while a process with this pid exists. Node reaps its own children on exit, so no zombies linger. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
