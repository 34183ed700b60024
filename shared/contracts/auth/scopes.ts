import * as v from 'valibot';

export const scopes = [
  'evaluations:read',
  'evaluations:write',
  'benchmarks:read',
  'benchmarks:write',
  'models:read',
  'models:write',
] as const;

export const ScopeSchema = v.picklist(scopes);
export type Scope = v.InferOutput<typeof ScopeSchema>;

/** Shorthands accepted by the api-key CLI: `read` is every `*:read` scope, `all` is everything. */
export function expandScopes(requested: string[]): Scope[] {
  const expanded = new Set<Scope>();
  for (const name of requested) {
    if (name === 'all') scopes.forEach((scope) => expanded.add(scope));
    else if (name === 'read') scopes.filter((s) => s.endsWith(':read')).forEach((scope) => expanded.add(scope));
    else expanded.add(v.parse(ScopeSchema, name));
  }
  return [...expanded];
}
