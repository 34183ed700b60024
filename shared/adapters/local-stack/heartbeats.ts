/**
 * Heartbeat files of the local stack's evaluator processes: how the local `/health` learns that an
 * evaluator is dead, restarting or stuck, which the cloud learns from Lambda itself. Only the local stack
 * uses them (it sets `ARBITER_LOCAL_HEARTBEAT_DIR` for its processes); the deployed health check never
 * looks.
 *
 * One file per evaluator slot (`evaluator-1.json`, …), written whole and renamed into place, so a reader
 * never sees half of one. Two writers take turns on a slot, never at once: the evaluator process beats
 * while it lives, from a timer on its main thread (a blocked event loop stops the beats, which is how a
 * wedged process shows); its supervisor writes `restarting` or `failed` once it has seen it exit.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as v from 'valibot';

const HeartbeatSchema = v.object({
  name: v.string(),
  pid: v.nullable(v.number()),
  /** `running`: beating; `restarting`: exited, a new process is due; `failed`: exited, and no new one will come. */
  state: v.picklist(['running', 'restarting', 'failed']),
  /** Epoch milliseconds of the last beat, or of the supervisor's write. */
  beat_at: v.number(),
  restarts: v.number(),
  last_exit: v.optional(v.string()),
});

export type Heartbeat = v.InferOutput<typeof HeartbeatSchema>;

/** What the health check says of one evaluator. */
export type EvaluatorHealth = 'ok' | 'stuck' | 'dead' | 'restarting';

export interface EvaluatorReport {
  name: string;
  state: EvaluatorHealth;
  pid: number | null;
  last_beat_at: string;
  restarts: number;
  last_exit?: string;
}

export function writeHeartbeat(dir: string, heartbeat: Heartbeat): void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${heartbeat.name}.json`);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(heartbeat));
  renameSync(temporary, file);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Every slot's state: a running process whose last beat is older than `staleAfterMs` is stuck. */
export function readEvaluatorHealth(dir: string, staleAfterMs: number, now = Date.now()): EvaluatorReport[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const reports: EvaluatorReport[] = [];
  for (const name of names.sort()) {
    let heartbeat: Heartbeat;
    try {
      heartbeat = v.parse(HeartbeatSchema, JSON.parse(readFileSync(join(dir, name), 'utf8')));
    } catch {
      continue;
    }
    const state: EvaluatorHealth =
      heartbeat.state === 'failed'
        ? 'dead'
        : heartbeat.state === 'restarting'
          ? 'restarting'
          : heartbeat.pid === null || !alive(heartbeat.pid)
            ? 'dead'
            : now - heartbeat.beat_at > staleAfterMs
              ? 'stuck'
              : 'ok';
    reports.push({
      name: heartbeat.name,
      state,
      pid: heartbeat.pid,
      last_beat_at: new Date(heartbeat.beat_at).toISOString(),
      restarts: heartbeat.restarts,
      ...(heartbeat.last_exit ? { last_exit: heartbeat.last_exit } : {}),
    });
  }
  return reports;
}
