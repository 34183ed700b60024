/**
 * Keeps one of the local stack's processes running, as Lambda and the managed services do in the cloud:
 * a process that exits on its own is said loudly on the console (what died, how, which restart, after
 * what delay) and started again with exponential backoff and full jitter. A process that keeps dying
 * soon after it starts is given up after a few tries, and that is said too, rather than restarted
 * forever. On stop, a process that has not exited within its grace period is killed, and that is said.
 */
import { fullJitterDelayMs } from '#shared/platform/backoff.js';
import type { ExitInfo, ManagedProcess } from './child-process.js';

/** A crash this soon after a (re)start counts towards giving up; a later one starts the count again. */
const FAST_CRASH_MS = 60_000;
/** Fast crashes in a row after which the process is given up. */
const MAX_FAST_CRASHES = 5;
const BACKOFF = { baseMs: 1_000, capMs: 30_000 };

export type SupervisedState = 'running' | 'restarting' | 'failed' | 'stopped';

export interface SupervisedOptions {
  /** How the process is called in messages, e.g. `evaluator-2`. */
  name: string;
  /** Spawns the process and resolves once it is ready; `restarts` is how many restarts came before. */
  start: (restarts: number) => Promise<ManagedProcess>;
  /** Runs once a restarted process is ready (recreate the emulator's queues, resume lost work). */
  afterRestart?: () => Promise<void>;
  /** Told of every change of state, with the exit that caused it (heartbeat files, pids). */
  onState?: (state: SupervisedState, detail: { pid: number | null; restarts: number; exit?: string }) => void;
  /** Writes one line to the console. */
  say: (line: string) => void;
  /** Injectable for tests of the policy. */
  random?: () => number;
}

export function describeExit(info: ExitInfo): string {
  if (info.spawnError) return `could not be started: ${info.spawnError.message}`;
  return info.signal ? `killed by signal ${info.signal}` : `exited with code ${info.code}`;
}

export class Supervised {
  readonly name: string;
  private current: ManagedProcess;
  private state: SupervisedState = 'running';
  private startedAt = Date.now();
  private restarts = 0;
  private fastCrashes = 0;
  private timer: NodeJS.Timeout | undefined;
  private replacing = false;
  private readonly options: SupervisedOptions;

  private constructor(options: SupervisedOptions, first: ManagedProcess) {
    this.options = options;
    this.name = options.name;
    this.current = first;
    this.watch(first);
  }

  /** Starts the process the first time; a failure here is the caller's (the stack does not start). */
  static async start(options: SupervisedOptions): Promise<Supervised> {
    const supervised = new Supervised(options, await options.start(0));
    options.onState?.('running', { pid: supervised.current.pid, restarts: 0 });
    return supervised;
  }

  get process(): ManagedProcess {
    return this.current;
  }

  get status(): SupervisedState {
    return this.state;
  }

  /**
   * Kills the process outright and starts a new one at once, not counted as a crash: the fault tests'
   * stand-in for a Lambda container that died.
   */
  async replace(): Promise<void> {
    this.replacing = true;
    try {
      this.current.killNow();
      await this.current.exited;
      clearTimeout(this.timer);
      this.restarts += 1;
      const next = await this.options.start(this.restarts);
      this.adopt(next);
    } finally {
      this.replacing = false;
    }
  }

  /** Stops supervising, then the process: SIGTERM, and SIGKILL after `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    if (this.state === 'stopped') return;
    const wasRunning = this.state === 'running';
    this.state = 'stopped';
    clearTimeout(this.timer);
    const pid = this.current.pid;
    const outcome = await this.current.stop(graceMs);
    if (wasRunning && outcome === 'killed') {
      this.options.say(`${this.name} (pid ${pid}) did not exit within ${formatMs(graceMs)} of SIGTERM: killed it (SIGKILL)`);
    }
  }

  private adopt(next: ManagedProcess): void {
    this.current = next;
    this.startedAt = Date.now();
    this.state = 'running';
    this.watch(next);
    this.options.onState?.('running', { pid: next.pid, restarts: this.restarts });
  }

  private watch(managed: ManagedProcess): void {
    void managed.exited.then((info) => {
      if (managed !== this.current || this.state !== 'running' || this.replacing) return;
      this.crashed(managed.pid, describeExit(info), managed.recentOutput());
    });
  }

  private crashed(pid: number | null, how: string, output: string): void {
    this.fastCrashes = Date.now() - this.startedAt < FAST_CRASH_MS ? this.fastCrashes + 1 : 1;
    const who = `${this.name}${pid && pid > 0 ? ` (pid ${pid})` : ''}`;
    if (this.fastCrashes >= MAX_FAST_CRASHES) {
      this.state = 'failed';
      this.options.onState?.('failed', { pid: null, restarts: this.restarts, exit: how });
      const tail = output.split('\n').slice(-10).join('\n');
      this.options.say(
        `!!! ${who} ${how}: ${MAX_FAST_CRASHES} crashes in a row, each within ${formatMs(FAST_CRASH_MS)} of starting. ` +
          `Giving up on it: the local stack runs without ${this.name} until it is restarted.${tail ? `\nIts last output:\n${tail}` : ''}`,
      );
      return;
    }
    const delayMs = Math.round(
      fullJitterDelayMs(this.fastCrashes - 1, { ...BACKOFF, ...(this.options.random ? { random: this.options.random } : {}) }),
    );
    this.state = 'restarting';
    this.options.onState?.('restarting', { pid: null, restarts: this.restarts, exit: how });
    this.options.say(
      `!!! ${who} ${how}. Restarting it in ${formatMs(delayMs)} (restart ${this.restarts + 1}; crash ${this.fastCrashes} of at most ${MAX_FAST_CRASHES} in a row)`,
    );
    this.timer = setTimeout(() => void this.restart(), delayMs);
  }

  private async restart(): Promise<void> {
    if (this.state !== 'restarting') return;
    this.restarts += 1;
    // A start that fails counts as a crash right after starting.
    this.startedAt = Date.now();
    let next: ManagedProcess;
    try {
      next = await this.options.start(this.restarts);
    } catch (error) {
      if (this.state !== 'restarting') return;
      this.crashed(null, `could not be restarted: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, '');
      return;
    }
    if (this.state !== 'restarting') {
      // Stopped while it was starting.
      await next.stop(2_000);
      return;
    }
    this.adopt(next);
    this.options.say(`${this.name} restarted (pid ${next.pid}, restart ${this.restarts})`);
    try {
      await this.options.afterRestart?.();
    } catch (error) {
      this.options.say(`!!! ${this.name}: recovery after its restart failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`;
}
