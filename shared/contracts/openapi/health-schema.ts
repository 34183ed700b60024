import * as v from 'valibot';

const Reachability = v.picklist(['ok', 'unreachable']);
const EvaluatorState = v.picklist(['ok', 'stuck', 'dead', 'restarting']);

export const HealthSchema = v.strictObject({
  status: v.picklist(['ok', 'degraded']),
  checks: v.strictObject({
    table: Reachability,
    queue: Reachability,
    evaluators: v.optional(
      v.pipe(
        EvaluatorState,
        v.description('Local stack only: the worst state among its evaluator processes (stuck: no heartbeat for `ARBITER_HEARTBEAT_STALE_SECONDS`).'),
      ),
    ),
  }),
  components: v.optional(
    v.strictObject({
      evaluators: v.pipe(
        v.array(
          v.strictObject({
            name: v.string(),
            state: EvaluatorState,
            pid: v.nullable(v.number()),
            last_beat_at: v.string(),
            restarts: v.number(),
            last_exit: v.optional(v.string()),
          }),
        ),
        v.description('Local stack only: each evaluator process, from the heartbeat it writes every second.'),
      ),
    }),
  ),
});
