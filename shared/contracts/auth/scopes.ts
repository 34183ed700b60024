import * as v from 'valibot';

export const scopes = [
  'evaluations:read',
  'evaluations:write',
  'benchmarks:read',
  'benchmarks:write',
  'models:read',
  'models:write',
  'usage:read',
  'webhooks:read',
  'webhooks:write',
] as const;

export const ScopeSchema = v.picklist(scopes);
export type Scope = v.InferOutput<typeof ScopeSchema>;

/** Shorthands accepted by the api-key CLI: `read` is every `*:read` scope, `all` is everything. */
export function expandScopes(requested: string[]): Scope[] {
  const expanded = new Set<Scope>();
  for (const name of requested) {
    if (name === 'all') for (const scope of scopes) expanded.add(scope);
    else if (name === 'read') for (const scope of scopes.filter((s) => s.endsWith(':read'))) expanded.add(scope);
    else expanded.add(v.parse(ScopeSchema, name));
  }
  return [...expanded];
}
