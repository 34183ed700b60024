import * as v from 'valibot';

const Reachability = v.picklist(['ok', 'unreachable']);

export const HealthSchema = v.strictObject({
  status: v.picklist(['ok', 'degraded']),
  checks: v.strictObject({ table: Reachability, queue: Reachability }),
});
